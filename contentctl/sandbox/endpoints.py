"""Where the sandbox answers and the credentials it accepts: what a client needs to be
pointed at it, without importing the emulation itself (a web framework, an imaging
library) — `plan` and `validate` with --sandbox read only this."""

from __future__ import annotations

IN_PROCESS_ORIGIN = "http://sandbox.contentctl.test"
POWERPOST_PREFIX = "/powerpost/api/v1"
POSTNITRO_PREFIX = "/postnitro"
POWERPOST_KEY = "pp_live_sk_sandbox"
POWERPOST_DRAFT_KEY = "pp_live_sk_sandbox_draft"  # a "Draft only" key: cannot publish
POWERPOST_WORKSPACE = "ws_sandbox"
POSTNITRO_KEY = "pn_sandbox_key"


def environ(origin: str = IN_PROCESS_ORIGIN) -> dict[str, str]:
    """Credentials and base URLs that route both providers to the sandbox at ``origin``."""
    return {
        "POWERPOST_API_KEY": POWERPOST_KEY,
        "POWERPOST_WORKSPACE_ID": POWERPOST_WORKSPACE,
        "POSTNITRO_API_KEY": POSTNITRO_KEY,
        "POWERPOST_BASE_URL": origin + POWERPOST_PREFIX,
        "POSTNITRO_BASE_URL": origin + POSTNITRO_PREFIX,
    }

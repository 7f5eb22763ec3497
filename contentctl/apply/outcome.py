"""What an apply's end means for the person who ran it: an error for a lockfile that could
not be written or pushed, for an interrupt (with how to collect what still runs), and for
steps left undone; nothing when all of it, or all that was asked, is done."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from contentctl.errors import ContentctlError, Interrupted
from contentctl.plan.steps import REPLACING_HASH

if TYPE_CHECKING:
    from contentctl import persist
    from contentctl.apply.run import Ran
    from contentctl.lockfile.records import Lockfile


def check(
    ran: Ran, saved: persist.Saved | None, environ: Mapping[str, str], *, no_wait: bool
) -> None:
    """Raise the error the apply ended with, if any."""
    result = ran.result
    if saved is not None:
        raise saved.error(environ)
    if result.interrupted:
        running = [f"{r.address} {r.step} (job {r.remote_id})" for r in result.still_running]
        replacing = _unfinished_replaces(ran.writer.current)
        raise Interrupted(
            "interrupted; everything submitted is recorded in contentctl.lock"
            + (": still running remotely: " + "; ".join(running) if running else ""),
            hint="run `contentctl apply` again to collect these jobs without paying again"
            + (
                f"; it also finishes the replace of {', '.join(replacing)} (its plan says "
                "what is left to regenerate, and its cost)"
                if replacing
                else ""
            ),
        )
    if no_wait and not result.failures and not result.skipped:
        return  # jobs left running were asked for; the summary says how to collect them
    if not result.ok:
        raise ContentctlError("apply did not finish everything", hint="see the summary above")


def _unfinished_replaces(current: Lockfile) -> list[str]:
    """Resources an interrupted --replace has steps left to regenerate in."""
    return [
        address
        for address, record in sorted(current.resources.items())
        if any(s.input_hash == REPLACING_HASH for s in record.steps.values())
    ]

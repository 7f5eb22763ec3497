"""No secret reaches output, the lockfile, logs or any file contentctl writes: checked with
the keys as canaries, over real HTTP against `contentctl sandbox serve`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from contract_helpers import QUICK, Api, start, stop
from helpers import Project

from contentctl.sandbox import Sandbox

SECRETS = ("POWERPOST_API_KEY", "POSTNITRO_API_KEY")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Api]:
    api = start("loopback", tmp_path / "remote", QUICK)
    yield api
    stop(api)


def _real_mode(project: Project, api: Api) -> dict[str, str]:
    """The environment of a real run, pointed at the loopback server."""
    return {**Sandbox.environ(api.origin), **project.env}


def test_no_key_in_any_output_or_file(quickstart: Project, server: Api) -> None:
    env = _real_mode(quickstart, server)
    canaries = [env[name] for name in SECRETS]
    outputs = []
    saved = quickstart.root / "plan.json"
    for args in (
        ["validate"],
        ["validate", "--format", "json"],
        ["validate", "--format", "github"],
        ["plan"],
        ["plan", "--diff"],
        ["plan", "--format", "json"],
        ["plan", "--format", "markdown"],
        ["--debug", "plan", "-out", str(saved)],
        ["render"],
        ["--debug", "apply", str(saved)],
        ["--debug", "show"],
        ["output", "post/dark-mode-launch", "--json"],
        ["--debug", "drift"],
        ["--debug", "plan", "--detailed-exitcode"],
    ):
        result = quickstart.run(*args, sandbox=False, env=env)
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.output)
    assert "debug: contentctl.http: powerpost POST /content/generate -> 200" in outputs[9]
    quickstart.edit("content/launch.yaml", "size: portrait", "size: landscape")
    failing = quickstart.run(
        "--debug",
        "apply",
        "--auto-approve",
        sandbox=False,
        env={**env, "POWERPOST_API_KEY": env["POWERPOST_API_KEY"] + "x"},
    )
    assert failing.exit_code == 1
    assert "INVALID_API_KEY" in failing.output and "hint: check POWERPOST_API_KEY" in failing.output
    outputs.append(failing.output)

    written = [p for p in quickstart.root.rglob("*") if p.is_file()]
    assert quickstart.lockfile in written and any(p.suffix == ".png" for p in written)
    for canary in canaries:
        for text in outputs:
            assert canary not in text
        for path in written:
            assert canary.encode() not in path.read_bytes(), path
    remote_log = (server.state_dir / ".contentctl/sandbox/requests.jsonl").read_text()
    assert "x-api-key" in remote_log  # the server saw the header...
    assert all(c not in remote_log for c in canaries)  # ...and logs only its name


def test_debug_logs_redact_a_key_even_when_something_prints_it() -> None:
    from click.testing import CliRunner

    from contentctl.report import logs

    with CliRunner().isolation() as (_out, err, _):
        logs.configure(True, ["pp_live_sk_canary123"])
        logging.getLogger("contentctl.test").debug("header was %s", "pp_live_sk_canary123")
        logs.configure(False)
        logging.getLogger("contentctl.test").debug("not shown")
        logged = err.getvalue().decode()
    assert "header was [redacted]" in logged and "canary123" not in logged
    assert "not shown" not in logged

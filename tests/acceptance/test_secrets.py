"""No secret reaches output, the lockfile, logs or any file contentctl writes: checked with
the keys as canaries, over real HTTP against `contentctl sandbox serve`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from contract_helpers import QUICK, Api, start, stop
from helpers import Project

from contentctl.sandbox.app import Sandbox

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


def test_a_key_the_api_echoes_back_is_never_stored_printed_or_written(
    quickstart: Project, tmp_path: Path
) -> None:
    """A careless API repeats the key it was sent in every error message (a 401 for a
    wrong key, a 500): the key appears in no lockfile, plan, summary, comment, artifact
    or output — --debug included."""
    from ghsim.served import ServedSandbox

    summary, outputs_file = tmp_path / "summary.md", tmp_path / "outputs.txt"
    github = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs_file),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
    }
    printed: list[str] = []
    with ServedSandbox(tmp_path / "api", latency=0, faults="echo_key=1") as api:
        env = {**api.environ(), **github}
        wrong = {**env, "POWERPOST_API_KEY": "pp_live_sk_canary_wrong_key_1234"}
        canaries = [wrong["POWERPOST_API_KEY"], env["POSTNITRO_API_KEY"]]
        for args in (
            ["--debug", "apply", "--auto-approve"],  # PowerPost refuses the key: 401, echoed
            ["--debug", "plan", "-out", str(tmp_path / "plan.json")],
            ["plan", "--format", "markdown"],
            ["plan", "--format", "json"],
            ["--debug", "show"],
            ["--debug", "drift"],
        ):
            result = quickstart.run(*args, sandbox=False, env=wrong)
            # ::add-mask:: lines are how GitHub is told to hide a value; the runner eats them.
            lines = result.output.splitlines()
            printed.append("\n".join(x for x in lines if not x.startswith("::add-mask::")))
        assert "INVALID_API_KEY" in printed[0] and "[redacted]" in printed[0]
        echoed = [r for r in api.requests() if r.get("status") == 401]
        assert echoed  # the API did answer with the key in its message
    written = [p for p in (quickstart.root, tmp_path) if p.exists() for p in p.rglob("*")]
    files = [p for p in written if p.is_file() and "api" not in p.relative_to(tmp_path).parts[:1]]
    assert quickstart.lockfile in files and summary in files
    for canary in canaries:
        for text in printed:
            assert canary not in text
        for path in files:
            assert canary.encode() not in path.read_bytes(), path

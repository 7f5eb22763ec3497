"""An interrupted apply leaves a plan that says what is left: a replace is finished, not half
kept; a resource never created is created; credits are counted once, in the apply that
spent them."""

from __future__ import annotations

import json
import signal
import subprocess
import time

from helpers import Project, apply_in_subprocess, paid_jobs

from contentctl.sandbox.state import SandboxState

JOB_LATENCY = "3600"  # sandbox jobs outlive the first process; the test moves the clock
POST = "post/dark-mode-launch"


def _steps(project: Project, address: str) -> dict[str, dict[str, str]]:
    try:
        lock = json.loads(project.lockfile.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return lock["resources"].get(address, {}).get("steps", {})  # type: ignore[no-any-return]


def _interrupt_once(
    project: Project, process: subprocess.Popen[str], submitted: str, before: str | None
) -> str:
    """SIGINT the apply once ``submitted`` of the post is pending as a new job (60 s at
    most); returns what the process wrote to stderr."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        step = _steps(project, POST).get(submitted, {})
        if step.get("status") == "pending" and step.get("remote_id") != before:
            process.send_signal(signal.SIGINT)
            _out, err = process.communicate(timeout=60)
            assert process.returncode == 130, err
            return err
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"apply never submitted {submitted}")


def test_an_interrupted_replace_is_finished_by_the_next_apply(applied: Project) -> None:
    old = {name: step["remote_id"] for name, step in _steps(applied, POST).items()}
    paid = paid_jobs(applied.root)

    process = apply_in_subprocess(applied, JOB_LATENCY, args=("--replace", POST))
    said = _interrupt_once(applied, process, "captions", old["captions"])
    assert f"it also finishes the replace of {POST}" in said
    SandboxState(applied.root / ".contentctl" / "sandbox").advance(float(JOB_LATENCY))

    plan = applied.run("plan", "--diff")
    assert f"-/+ {POST}   captions (resume), images, post" in plan.stdout
    assert "images     finishing an interrupted --replace" in plan.stdout
    assert "Estimated cost: 5 credits." in plan.stdout  # the images; captions are paid

    result = applied.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    now = _steps(applied, POST)
    assert {name: now[name]["remote_id"] != old[name] for name in old} == {
        "captions": True,
        "images": True,
        "post": True,
    }
    again = paid_jobs(applied.root) - paid
    assert sum(again.values()) == 2  # one caption job, one image job: each paid once
    summary = result.stdout[result.stdout.index("Apply finished") :]
    assert (
        f"{POST}: 5 credits used, ~5 credits estimated "
        "(and 7 credits for a job an earlier apply submitted)" in summary
    )
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_resource_never_created_is_created_when_resumed(quickstart: Project) -> None:
    process = apply_in_subprocess(quickstart, JOB_LATENCY)
    _interrupt_once(quickstart, process, "captions", None)
    SandboxState(quickstart.root / ".contentctl" / "sandbox").advance(float(JOB_LATENCY))

    plan = quickstart.run("plan")

    assert f"+ {POST}" in plan.stdout
    assert "Update:" not in plan.stdout
    assert "0 to update" in plan.stdout
    resumed = quickstart.run("apply", "--auto-approve")
    assert resumed.exit_code == 0, resumed.output
    assert "done (7 credits, submitted by an earlier apply)" in resumed.stdout
    summary = resumed.stdout[resumed.stdout.index("Apply finished") :]
    assert summary.startswith(
        "Apply finished: 5 step(s) run, 5 credits used (estimated 5 credits); 12 credits "
        "more for jobs an earlier apply submitted, collected now."
    ), summary


def test_a_free_resource_is_not_listed_in_the_credits_summary(quickstart: Project) -> None:
    result = quickstart.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    summary = result.stdout[result.stdout.index("Apply finished") :]
    assert "media/hero" not in summary
    assert f"{POST}: 12 credits used, ~12 credits estimated" in summary

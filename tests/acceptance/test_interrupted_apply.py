"""An interrupted apply loses nothing: submitted jobs are recorded before polling, and the
next apply collects them instead of paying again."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import Project, apply_in_subprocess

from contentctl.sandbox.state import SandboxState

JOB_LATENCY = "3600"  # sandbox jobs outlive the first process; the test moves the clock


def _start_apply(project: Project) -> subprocess.Popen[str]:
    return apply_in_subprocess(project, JOB_LATENCY, capture=True)


def _wait_for_pending(
    project: Project, process: subprocess.Popen[str], count: int
) -> dict[str, Any]:
    """Block until the lockfile records ``count`` pending jobs (bounded: 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            lock = json.loads(project.lockfile.read_text())
        except (FileNotFoundError, ValueError):
            lock = {"resources": {}}
        pending = {
            f"{a}#{n}": s
            for a, r in lock["resources"].items()
            for n, s in r["steps"].items()
            if s["status"] == "pending"
        }
        if len(pending) >= count:
            return pending
        time.sleep(0.05)
    raise AssertionError("apply never recorded its pending jobs")


@pytest.mark.parametrize(
    "how", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=["SIGKILL", "SIGINT", "SIGTERM"]
)
def test_interrupted_apply_resumes_jobs_without_submitting_again(
    quickstart: Project, how: signal.Signals
) -> None:
    process = _start_apply(quickstart)
    pending = _wait_for_pending(quickstart, process, count=2)
    assert set(pending) == {"post/dark-mode-launch#captions", "carousel/dark-mode-tips#render"}

    process.send_signal(how)
    _out, err = process.communicate(timeout=60)
    if how in (signal.SIGINT, signal.SIGTERM):
        assert process.returncode == 130
        assert "still running remotely" in err
        for step in pending.values():
            assert step["remote_id"] in err
        assert "run `contentctl apply` again" in err
    else:
        assert process.returncode == -signal.SIGKILL

    # The remote jobs finish while nobody is watching.
    SandboxState(quickstart.root / ".contentctl" / "sandbox").advance(float(JOB_LATENCY))
    since = len(quickstart.requests())
    result = quickstart.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "resume" in result.stdout
    assert len(quickstart.calls("POST", "/content/generate")) == 1
    assert len(quickstart.calls("POST", "/post/initiate/import")) == 1
    assert quickstart.calls("POST", "/content/generate", since) == []
    lock = json.loads(quickstart.lockfile.read_text())
    captions = lock["resources"]["post/dark-mode-launch"]["steps"]["captions"]
    assert captions["status"] == "completed"
    assert captions["remote_id"] == pending["post/dark-mode-launch#captions"]["remote_id"]
    polled = quickstart.calls("GET", "/content/generations/{generation_id}", since)
    assert polled and all(r["path"].endswith(captions["remote_id"]) for r in polled)
    assert quickstart.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_second_apply_while_one_runs_is_refused(quickstart: Project) -> None:
    process = _start_apply(quickstart)
    try:
        _wait_for_pending(quickstart, process, count=1)
        result = quickstart.run("apply", "--auto-approve")
        assert result.exit_code == 1
        assert "another apply holds the lease" in result.stderr
        assert f"pid {process.pid}" in result.stderr
    finally:
        process.kill()
        process.communicate()


def test_a_dead_apply_does_not_block_the_next(quickstart: Project, tmp_path: Path) -> None:
    process = _start_apply(quickstart)
    _wait_for_pending(quickstart, process, count=2)
    process.kill()
    process.communicate()
    assert (quickstart.root / "contentctl.lock.lease").exists()  # left behind by SIGKILL

    SandboxState(quickstart.root / ".contentctl" / "sandbox").advance(float(JOB_LATENCY))
    result = quickstart.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert not (quickstart.root / "contentctl.lock.lease").exists()


def _foreign_lease(project: Project) -> None:
    """A lease held by a CI runner elsewhere, which this machine cannot check."""
    lease = {
        "owner": "github-actions",
        "host": "runner-7",
        "pid": 4242,
        "started": time.time() - 60,
        "expires": time.time() + 600,
    }
    (project.root / "contentctl.lock.lease").write_text(json.dumps(lease))


def test_a_lease_from_another_host_needs_unlock_force(quickstart: Project) -> None:
    _foreign_lease(quickstart)

    blocked = quickstart.run("apply", "--auto-approve")
    assert blocked.exit_code == 1
    assert "another apply holds the lease: github-actions on runner-7 (pid 4242)" in blocked.stderr
    assert "contentctl unlock --force" in blocked.stderr

    refused = quickstart.run("unlock")
    assert refused.exit_code == 1 and "--force" in refused.stderr

    forced = quickstart.run("unlock", "--force")
    assert forced.exit_code == 0
    assert "Removed the lease of github-actions on runner-7 (pid 4242)" in forced.stdout
    assert quickstart.run("apply", "--auto-approve").exit_code == 0
    assert quickstart.run("unlock").stdout == "No lease is held.\n"


def test_an_expired_lease_is_removed_without_force(quickstart: Project) -> None:
    _foreign_lease(quickstart)
    lease_file = quickstart.root / "contentctl.lock.lease"
    lease = json.loads(lease_file.read_text())
    lease_file.write_text(json.dumps({**lease, "expires": time.time() - 1}))

    assert quickstart.run("unlock").exit_code == 0
    assert not lease_file.exists()


def test_no_wait_submits_records_and_a_later_apply_collects(quickstart: Project) -> None:
    slow = {"CONTENTCTL_SANDBOX_LATENCY": JOB_LATENCY}
    first = quickstart.run("apply", "--auto-approve", "--no-wait", env=slow)

    assert first.exit_code == 0, first.output
    assert "still running: post/dark-mode-launch captions" in first.stdout
    assert "still running: carousel/dark-mode-tips render" in first.stdout
    lock = json.loads(quickstart.lockfile.read_text())
    assert lock["resources"]["post/dark-mode-launch"]["steps"]["captions"]["status"] == "pending"
    assert quickstart.run("plan", "--detailed-exitcode").exit_code == 2

    SandboxState(quickstart.root / ".contentctl" / "sandbox").advance(float(JOB_LATENCY))
    second = quickstart.run("apply", "--auto-approve")

    assert second.exit_code == 0, second.output
    assert len(quickstart.calls("POST", "/content/generate")) == 1
    assert len(quickstart.calls("POST", "/post/initiate/import")) == 1
    assert quickstart.run("plan", "--detailed-exitcode").exit_code == 0

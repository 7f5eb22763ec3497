"""The lockfile reaches the repository whatever happens to the apply: a push that loses a
race, a push the server refuses, a cancel (SIGINT), a kill. Real git, a local bare remote."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from helpers import Project, copy_example, git, git_repo, paid_jobs

POST = """apiVersion: contentctl/v1
kind: Post
metadata: {{name: {name}}}
spec:
  post_types: [x-post]
  captions: {{prompt: {prompt}}}
"""


def _remote(tmp_path: Path) -> tuple[Path, Path]:
    """A bare remote holding the quickstart on main, and a runner's clone of it."""
    source = git_repo(copy_example("quickstart", tmp_path / "source"))
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(remote))
    return remote, _clone(remote, tmp_path / "runner")


def _clone(remote: Path, where: Path) -> Path:
    git(remote.parent, "clone", "-q", str(remote), str(where))
    git(where, "config", "user.name", "github-actions[bot]")
    git(where, "config", "user.email", "bot@example.com")
    return where


def _remote_lockfile(remote: Path) -> dict[str, Any]:
    shown = git(remote, "show", "main:contentctl.lock")
    data: dict[str, Any] = json.loads(shown.stdout)
    return data


def _competing_push(remote: Path, tmp_path: Path, name: str) -> str:
    """Another pull request merged meanwhile: a new manifest on main."""
    other = _clone(remote, tmp_path / f"other-{name}")
    (other / "content" / f"{name}.yaml").write_text(POST.format(name=name, prompt=f"News {name}"))
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", f"Add {name}")
    git(other, "push", "-q", "origin", "main")
    return git(other, "rev-parse", "HEAD").stdout.strip()


def test_a_push_that_loses_the_race_is_merged_and_pushed_again(tmp_path: Path) -> None:
    remote, runner = _remote(tmp_path)
    competing = _competing_push(remote, tmp_path, "late-news")  # main moved under the runner
    project = Project(runner, {"CONTENTCTL_SANDBOX_LATENCY": "0"})

    applied = project.run("apply", "--auto-approve", "--commit", "--push")

    assert applied.exit_code == 0, applied.output
    assert "The remote had moved: merged the lockfiles and pushed" in applied.stdout
    assert "Traceback" not in applied.output
    log = git(remote, "log", "--format=%H %s", "main").stdout.splitlines()
    assert log[0].split(" ", 1)[1].startswith("contentctl apply: 3 created")
    assert log[1].split(" ")[0] == competing  # built on top of the other merge, nothing lost
    assert set(_remote_lockfile(remote)["resources"]) == {
        "media/hero",
        "post/dark-mode-launch",
        "carousel/dark-mode-tips",
    }
    changed = git(remote, "show", "--name-only", "--format=", "main").stdout.split()
    assert changed == ["contentctl.lock"]
    assert git(runner, "status", "--porcelain").stdout == ""


def test_two_applies_racing_to_push_keep_both_sets_of_records(tmp_path: Path) -> None:
    remote, runner = _remote(tmp_path)
    other = _clone(remote, tmp_path / "other")
    first = Project(other, {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    assert (
        first.run("apply", "--auto-approve", "--select", "media/*", "--commit", "--push").exit_code
        == 0
    )

    second = Project(runner, {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    applied = second.run("apply", "--auto-approve", "--select", "carousel/*", "--commit", "--push")

    assert applied.exit_code == 0, applied.output
    records = _remote_lockfile(remote)["resources"]
    assert set(records) == {"media/hero", "carousel/dark-mode-tips"}


def test_a_push_the_server_refuses_leaves_the_lockfile_saved_with_its_recovery(
    tmp_path: Path,
) -> None:
    remote, runner = _remote(tmp_path)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    recovery = tmp_path / "recovery"
    project = Project(
        runner, {"CONTENTCTL_SANDBOX_LATENCY": "0", "CONTENTCTL_RECOVERY_DIR": str(recovery)}
    )

    applied = project.run("apply", "--auto-approve", "--commit", "--push")

    assert applied.exit_code == 1
    assert "Traceback" not in applied.output
    assert f"the lockfile is saved in {recovery}" in applied.stderr
    assert f"contentctl lock recover {recovery} --commit --push" in applied.stderr
    saved = json.loads((recovery / "contentctl.lock").read_text())
    assert len(saved["resources"]) == 3

    # The next runner starts from main without the records, and recovers them.
    hook.unlink()
    fresh = _clone(remote, tmp_path / "next-runner")
    recovered = Project(fresh, {}).run(
        "lock", "recover", str(recovery), "--commit", "--push", sandbox=False
    )
    assert recovered.exit_code == 0, recovered.output
    assert set(_remote_lockfile(remote)["resources"]) == set(saved["resources"])


def _apply_process(project: Project, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "contentctl", "-C", str(project.root), "--sandbox", "apply", *args],
        env={**os.environ, "NO_COLOR": "1", "CONTENTCTL_SANDBOX_LATENCY": "3600"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_pending(project: Project, process: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None
        try:
            lock = json.loads(project.lockfile.read_text())
        except (FileNotFoundError, ValueError):
            lock = {"resources": {}}
        pending = [
            s
            for r in lock["resources"].values()
            for s in r["steps"].values()
            if s["status"] == "pending"
        ]
        if len(pending) >= count:
            return
        time.sleep(0.05)
    raise AssertionError("apply never recorded its pending jobs")


def test_a_cancelled_apply_commits_and_pushes_what_it_paid_for(tmp_path: Path) -> None:
    remote, runner = _remote(tmp_path)
    project = Project(runner, {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    process = _apply_process(project, "--auto-approve", "--commit", "--push")
    _wait_for_pending(project, process, 2)

    process.send_signal(signal.SIGINT)  # GitHub's cancel: SIGINT first
    out, err = process.communicate(timeout=10)  # well inside GitHub's 7.5 s + 2.5 s

    assert process.returncode == 130, out + err
    assert "Stopping: nothing new is sent" in err
    assert "and pushed" in out
    pushed = _remote_lockfile(remote)["resources"]
    pending = {
        f"{a}#{n}": s["remote_id"]
        for a, r in pushed.items()
        for n, s in r["steps"].items()
        if s["status"] == "pending"
    }
    assert set(pending) == {"post/dark-mode-launch#captions", "carousel/dark-mode-tips#render"}
    assert git(runner, "status", "--porcelain").stdout == ""


def test_lock_commit_pushes_the_lockfile_a_killed_apply_left(tmp_path: Path) -> None:
    remote, runner = _remote(tmp_path)
    project = Project(runner, {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    process = _apply_process(project, "--auto-approve", "--commit", "--push")
    _wait_for_pending(project, process, 2)
    process.kill()  # no grace at all: the final `if: always()` step has to do it
    process.communicate()

    committed = project.run("lock", "commit", "--push", sandbox=False)

    assert committed.exit_code == 0, committed.output
    assert "Committed contentctl.lock" in committed.stdout and "Pushed" in committed.stdout
    assert json.loads(project.lockfile.read_text()) == _remote_lockfile(remote)
    again = project.run("lock", "commit", "--push", sandbox=False)
    assert again.exit_code == 0 and "Nothing to do" in again.stdout


def _checkpointed_pending(remote: Path) -> int:
    shown = git(remote, "show", "refs/contentctl/checkpoint/main:contentctl.lock", check=False)
    if shown.returncode != 0:
        return 0
    resources = json.loads(shown.stdout)["resources"]
    return sum(
        1 for r in resources.values() for s in r["steps"].values() if s["status"] == "pending"
    )


def test_a_runner_killed_outright_leaves_a_checkpoint_the_next_runner_adopts(
    tmp_path: Path,
) -> None:
    """SIGKILL, no grace, the runner's disk thrown away: the write-ahead records were pushed
    to the checkpoint ref before each wave of requests, so the next runner, from a fresh
    clone, collects the dead one's jobs instead of paying for them again."""

    from contentctl.sandbox.state import SandboxState

    remote, runner = _remote(tmp_path)
    project = Project(runner, {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    process = _apply_process(project, "--auto-approve", "--commit", "--push")
    _wait_for_pending(project, process, 2)
    # Job ids reach the checkpoint a push after they arrive: kill once they are there.
    deadline = time.monotonic() + 60
    while _checkpointed_pending(remote) < 2:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    process.kill()
    process.communicate()

    # A new runner: a fresh clone; the API (the sandbox's state) is the same one.
    api = tmp_path / "api"
    shutil.move(runner / ".contentctl" / "sandbox", api)
    shutil.rmtree(runner)  # the dead runner's disk is gone
    fresh = _clone(remote, tmp_path / "next-runner")
    (fresh / ".contentctl").mkdir()
    (fresh / ".contentctl" / "sandbox").symlink_to(api)
    SandboxState(api).advance(3600)  # the jobs finished while nobody watched
    following = Project(fresh, {"CONTENTCTL_SANDBOX_LATENCY": "0"})

    applied = following.run("apply", "--auto-approve", "--commit", "--push")

    assert applied.exit_code == 0, applied.output
    assert "taken from its checkpoint" in applied.stdout
    assert max(paid_jobs(fresh).values()) == 1  # nothing paid twice
    records = _remote_lockfile(remote)["resources"]
    assert {s["status"] for r in records.values() for s in r["steps"].values()} == {"completed"}
    gone = git(remote, "show-ref", "refs/contentctl/checkpoint/main", check=False)
    assert gone.returncode != 0  # main has everything: the checkpoint is dropped


def test_a_fresh_clone_of_an_applied_project_plans_empty(tmp_path: Path) -> None:
    remote, runner = _remote(tmp_path)
    applied = Project(runner, {"CONTENTCTL_SANDBOX_LATENCY": "0"}).run(
        "apply", "--auto-approve", "--commit", "--push"
    )
    assert applied.exit_code == 0, applied.output

    fresh = Project(_clone(remote, tmp_path / "teammate"), {})
    plan = fresh.run("plan", "--detailed-exitcode", sandbox=False)

    assert plan.exit_code == 0, plan.output
    assert "No changes" in plan.stdout
    assert "`contentctl pull` fetches them" in plan.stdout  # out/ is not in git

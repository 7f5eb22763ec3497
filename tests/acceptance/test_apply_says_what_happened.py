"""What apply says matches what it did: the lockfile commit counts outcomes, refusals come
in the order that spares work and carry the hint that fits, a reader that goes away changes
nothing, and a step's time is its own."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import Project, git, git_repo

from contentctl import lease
from contentctl.apply.executor import Executor
from contentctl.apply.results import Event
from contentctl.checkpoint import Checkpoint
from contentctl.commands.context import App
from contentctl.lockfile.read import read
from contentctl.lockfile.writer import LockfileWriter
from contentctl.plan.diff import make_plan
from contentctl.providers import open_providers
from contentctl.validate.manifests import check_project


def test_the_lockfile_commit_counts_what_failed_apart_from_what_was_updated(
    applied: Project,
) -> None:
    root = git_repo(applied.root)
    hero = root / "assets" / "hero.png"
    hero.write_bytes(hero.read_bytes() + b"\0")  # a new upload: free, cannot fail as a job
    applied.edit("content/launch.yaml", "We just launched", "Today we launched")
    applied.edit("content/tips.yaml.j2", "Swipe to see why", "Swipe to see how")
    git(root, "commit", "-qam", "Three changes")

    result = applied.run(
        "apply", "--auto-approve", "--commit", env={"CONTENTCTL_SANDBOX_FAULTS": "job_failure=1"}
    )

    assert result.exit_code == 1
    message = git(root, "log", "-1", "--format=%B").stdout
    assert message.startswith("contentctl apply: 1 updated, 2 failed; 0 credits [skip ci]")
    assert "- post/dark-mode-launch: update (captions, images, post): failed" in message
    assert "- media/hero: update (upload)\n" in message


def test_apply_checks_the_lease_before_it_plans(quickstart: Project) -> None:
    with lease.hold(quickstart.lockfile, owner="someone else"):
        result = quickstart.run("apply", "--auto-approve")

    assert result.exit_code == 1
    assert "another apply holds the lease: someone else" in result.stderr
    assert result.stdout == ""  # no plan shown for an apply that cannot run
    assert quickstart.requests() == []


def test_a_refused_schedule_time_gets_a_hint_about_the_time(tmp_path: Path) -> None:
    from helpers import copy_example

    project = Project(copy_example("full-campaign", tmp_path), {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    project.edit("contentctl.yaml", "2030-", "2021-")

    result = project.run("apply", "--auto-approve", "--allow-publish")

    assert result.exit_code == 1
    assert "is not at least 5 minutes ahead" in result.stdout
    hint = result.stderr.splitlines()[-1]
    assert hint == (
        "  hint: move spec.at later, or remove the manifest if the schedule has gone out"
    )
    assert project.requests() == []


def test_apply_into_a_closed_pipe_finishes_and_exits_with_its_own_status(
    quickstart: Project,
) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before a line is written (`| head -0`)
    try:
        done = subprocess.run(
            [
                *(sys.executable, "-m", "contentctl", "-C", str(quickstart.root)),
                *("--sandbox", "apply", "--auto-approve"),
            ],
            stdout=writer,
            stderr=subprocess.PIPE,
            env={**os.environ, "CONTENTCTL_SANDBOX_LATENCY": "0", "NO_COLOR": "1"},
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writer)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert quickstart.run("plan", "--detailed-exitcode").exit_code == 0  # all of it applied


def test_a_step_is_timed_from_its_request_not_from_its_wait_for_a_checkpoint(
    quickstart: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTENTCTL_SANDBOX_LATENCY", "0")
    clock = _Clock()

    def slow_push(text: str) -> None:
        clock.now += 30  # the push of the wave's records, which every step waits for

    app = App(quickstart.root, sandbox=True, debug=False, color=False)
    project = app.project()
    manifests = check_project(project)
    lock = read(project.lockfile_path)
    plan = make_plan(project, manifests.graph, lock)
    writer = LockfileWriter(project.lockfile_path, lock)
    events: list[Event] = []

    async def run() -> None:
        async with open_providers(
            project, app.api_environ(), {"powerpost", "postnitro"}, transport=app.transport(project)
        ) as providers:
            await Executor(
                project,
                manifests.graph,
                plan,
                writer,
                providers,
                parallelism=1,
                polling=app.polling(project, False),
                on_event=events.append,
                checkpoint=Checkpoint(writer, slow_push),
                clock=clock,
            ).run()

    asyncio.run(run())
    # Each creating request first waited for a push of the lockfile; the two that finish
    # in their request (no job polled meanwhile) took no time of their own.
    assert clock.now >= 1000 + 4 * 30
    sync = {
        (e.address, e.step): e.elapsed
        for e in events
        if e.kind == "completed" and e.step in ("upload", "post")
    }
    assert sync == {("media/hero", "upload"): 0, ("post/dark-mode-launch", "post"): 0}


class _Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now

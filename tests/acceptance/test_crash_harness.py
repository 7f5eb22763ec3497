"""Crash safety: kill -9 an apply of a 20-resource project at 50 random (seeded) points; after
each kill, apply again to completion. Every run must end with a valid lockfile equal to a clean
run's (ids aside), and no paid job may be submitted twice."""

from __future__ import annotations

import os
import random
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers import Project, apply_in_subprocess, lockfile_shape, make_project

from contentctl import lockfile
from contentctl.sandbox import SandboxState

KILLS = 50
LATENCY = "0.1"


def _apply_in_subprocess(project: Project) -> subprocess.Popen[str]:
    return apply_in_subprocess(project, LATENCY, capture=False)


def _paid_submissions(project: Project) -> Counter[str]:
    """Paid jobs the remote accepted, keyed by what identifies the step that sent them."""
    state = SandboxState(project.root / ".contentctl" / "sandbox")
    seen: Counter[str] = Counter()
    for job in state.powerpost["generations"].values():
        seen[f"captions:{job['prompt']}"] += 1
    for job in state.powerpost["images"].values():
        seen[f"images:{job['prompt']}"] += 1
    for post in state.postnitro["posts"].values():
        seen[f"render:{post['requestorId']}"] += 1
    return seen


def _free_duplicates(project: Project) -> int:
    state = SandboxState(project.root / ".contentctl" / "sandbox")
    uploads = Counter(
        m["file_name"] for m in state.powerpost["media"].values() if not m.get("generated")
    )
    return sum(n - 1 for n in uploads.values())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("template") / "project")


def test_kill_at_fifty_points_and_resume(template: Path, tmp_path: Path) -> None:
    import shutil

    clean = Project(tmp_path / "clean", {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    shutil.copytree(template, clean.root)
    started = time.monotonic()
    process = _apply_in_subprocess(clean)
    assert process.wait(timeout=60) == 0
    duration = time.monotonic() - started
    expected = lockfile_shape(clean)
    assert len(expected) == 20

    rng = random.Random(int(os.environ.get("HARNESS_SEED", "2026")))
    uncertain_resubmits = 0
    free_duplicates = 0
    killed_mid_run = 0
    for point in range(KILLS):
        project = Project(tmp_path / f"kill{point}", {"CONTENTCTL_SANDBOX_LATENCY": "0"})
        shutil.copytree(template, project.root)
        process = _apply_in_subprocess(project)
        time.sleep(rng.uniform(0.2, duration))
        process.kill()
        process.wait()
        if project.lockfile.exists():
            killed_mid_run += 1
            lockfile.read(project.lockfile)  # parses: never torn

        result = project.run("apply", "--auto-approve")
        if result.exit_code != 0 and "--resubmit-uncertain" in result.output:
            uncertain_resubmits += result.output.count("cannot tell whether it was accepted")
            result = project.run("apply", "--auto-approve", "--resubmit-uncertain")
        assert result.exit_code == 0, (point, result.output)

        assert lockfile_shape(project) == expected, point
        assert project.run("plan", "--detailed-exitcode").exit_code == 0, point
        submitted_twice = {k: n for k, n in _paid_submissions(project).items() if n > 1}
        assert sum(n - 1 for n in submitted_twice.values()) <= uncertain_resubmits, (
            point,
            submitted_twice,
        )
        free_duplicates += _free_duplicates(project)

    # Most kills must land mid-run for the harness to mean anything.
    assert killed_mid_run >= KILLS * 0.7, killed_mid_run
    print(
        f"\ncrash harness: {KILLS} kills, {killed_mid_run} mid-run, "
        f"{uncertain_resubmits} uncertain paid submissions resubmitted on request, "
        f"{free_duplicates} duplicate free uploads"
    )

"""Local I/O failures — a full disk, a read-only folder, an immutable lockfile — end in one
line of error with a hint, never a traceback; independent resources go on; and after the
disk is fixed nothing is created twice (paid jobs, uploads or drafts).

These need real file systems that fail: a small tmpfs (mounting needs root) and chattr
(an ext4-like file system). Where the machine cannot provide them, the test says so and
is skipped."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import Project, make_project, paid_jobs

from contentctl.sandbox.state import SandboxState


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False)


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[list[Path]]:
    mounted: list[Path] = []
    yield mounted
    for point in reversed(mounted):
        _run("umount", "-l", str(point))


def _tmpfs(point: Path, size: int, mounts: list[Path]) -> None:
    point.mkdir(parents=True, exist_ok=True)
    done = _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up here: {done.stderr.strip()}")
    mounts.append(point)


def _bind(source: Path, point: Path, mounts: list[Path], *, read_only: bool = False) -> None:
    source.mkdir(parents=True, exist_ok=True)
    point.mkdir(parents=True, exist_ok=True)
    done = _run("mount", "--bind", str(source), str(point))
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
    mounts.append(point)
    if read_only:
        done = _run("mount", "-o", "remount,bind,ro", str(point))
        if done.returncode != 0:
            pytest.skip(f"cannot make a read-only mount here: {done.stderr.strip()}")


def _one_line_error(output: str) -> None:
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if "error: " in line]
    assert len(errors) == 1, output
    lines = output.splitlines()
    assert lines[lines.index(errors[0]) + 1].startswith("  hint: "), output


def _created_twice(root: Path) -> dict[str, int]:
    """Paid jobs, uploads and post drafts the sandbox holds more than once."""
    state = SandboxState(root / ".contentctl" / "sandbox")
    seen: Counter[str] = Counter(paid_jobs(root))
    for media in state.powerpost["media"].values():
        if not media.get("generated"):
            seen[f"upload:{media['file_name']}"] += 1
    for post in state.powerpost["posts"].values():
        seen[f"draft:{post['items'][0]['content']}"] += 1
    return {k: n for k, n in seen.items() if n > 1}


def test_a_disk_that_fills_up_during_apply_loses_nothing_and_creates_nothing_twice(
    tmp_path: Path, mounts: list[Path]
) -> None:
    """Downloads fill a small disk at different points (several sizes); the lockfile's
    writes fail; the records are kept, saved elsewhere, and recovered."""
    failed_runs = 0
    for size in (48, 80, 112, 144, 176, 208):
        disk = tmp_path / f"disk{size}"
        _tmpfs(disk, size * 1024, mounts)
        root = make_project(disk / "project", media=2, posts=3, carousels=4)
        # The sandbox (the "remote") and the recovery folder live on a disk with room.
        _bind(tmp_path / f"roomy{size}", root / ".contentctl", mounts)
        project = Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})

        first = project.run("apply", "--auto-approve")
        if first.exit_code != 0:
            failed_runs += 1
            _one_line_error(first.stderr)
            assert "No space left on device" in first.output

        _run("mount", "-o", "remount,size=64m", str(disk))  # the disk is fixed
        recovery = root / ".contentctl" / "recovery"
        if (recovery / "contentctl.lock").exists():
            assert f"contentctl lock recover {recovery}" in first.stderr
            assert project.run("lock", "recover", str(recovery)).exit_code == 0
        for _ in range(3):
            if project.run("apply", "--auto-approve").exit_code == 0:
                break
        assert project.run("plan", "--detailed-exitcode").exit_code == 0, size
        assert _created_twice(root) == {}, size
    assert failed_runs >= 3  # the disk really did fill up, at several points


def test_a_read_only_project_folder_is_one_line_and_sends_nothing(
    tmp_path: Path, mounts: list[Path]
) -> None:
    root = make_project(tmp_path / "project", media=1, posts=1, carousels=1)
    (root / ".contentctl").mkdir()
    _bind(root, root, mounts, read_only=True)
    _bind(tmp_path / "sandbox", root / ".contentctl", mounts)  # the "remote" stays writable
    project = Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})

    refused = project.run("apply", "--auto-approve")

    assert refused.exit_code == 1
    _one_line_error(refused.stderr)
    assert "Read-only file system" in refused.stderr
    assert not [r for r in project.requests() if r["method"] == "POST"]


def test_an_immutable_lockfile_is_one_line_and_recovers_without_duplicates(
    quickstart: Project,
) -> None:
    assert quickstart.run("apply", "--auto-approve", "--select", "media/*").exit_code == 0
    if _run("chattr", "+i", str(quickstart.lockfile)).returncode != 0:
        pytest.skip("chattr +i is not supported on this file system")
    try:
        refused = quickstart.run("apply", "--auto-approve")
        assert refused.exit_code == 1
        _one_line_error(refused.stderr)
        assert "chattr -i contentctl.lock" in refused.output
        assert not quickstart.calls("POST", "/content/generate")  # no paid job was sent
    finally:
        _run("chattr", "-i", str(quickstart.lockfile))
    recovery = quickstart.root / ".contentctl" / "recovery"
    if (recovery / "contentctl.lock").exists():
        assert quickstart.run("lock", "recover", str(recovery)).exit_code == 0
    assert quickstart.run("apply", "--auto-approve").exit_code == 0
    assert _created_twice(quickstart.root) == {}
    assert json.loads(quickstart.lockfile.read_text())["serial"] > 1
    shutil.rmtree(recovery, ignore_errors=True)

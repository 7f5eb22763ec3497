"""The contentctl-validate hook of .pre-commit-hooks.yaml, run by pre-commit itself on copies
of an example: it installs this repository (working tree included) as pre-commit does from
`repo:`, and runs the hook on every file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, copy_example, git_repo


def _pre_commit() -> str:
    found = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(found).is_file():
        pytest.skip("pre-commit is not installed (the test extra installs it)")
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout: pre-commit installs hooks from git")
    return found


def test_the_hook_passes_on_an_example_and_fails_on_a_broken_copy(tmp_path: Path) -> None:
    pre_commit = _pre_commit()
    # Every kind of manifest, templates and a campaign; and a copy with one mistake.
    projects = {
        "example": git_repo(copy_example("full-campaign", tmp_path)),
        "broken": git_repo(copy_example("quickstart", tmp_path)),
    }
    manifest = projects["broken"] / "content" / "launch.yaml"
    manifest.write_text(manifest.read_text().replace("size: portrait", "size: portait"))

    # try-repo installs the hook into a store of its own each time: run both side by side.
    env = {**os.environ, "PRE_COMMIT_COLOR": "never"}
    running = {
        name: subprocess.Popen(
            [pre_commit, "try-repo", str(ROOT), "contentctl-validate", "--all-files"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, root in projects.items()
    }
    outputs = {name: process.communicate(timeout=600)[0] for name, process in running.items()}
    codes = {name: process.returncode for name, process in running.items()}

    installing = [o for o in outputs.values() if "An error has occurred" in o]
    if installing and "Installing environment" in installing[0]:
        pytest.skip(f"pre-commit could not install the hook's environment:\n{installing[0]}")
    assert codes["example"] == 0, outputs["example"]
    assert "contentctl validate....." in outputs["example"] and "Passed" in outputs["example"]
    assert codes["broken"] == 1, outputs["broken"]
    assert "Failed" in outputs["broken"]
    assert "content/launch.yaml:20:18: error: spec.images.size: 'portait'" in outputs["broken"]

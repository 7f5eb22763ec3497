"""The composite action (.github/actions/contentctl): its run step, executed by bash as the
runner does, passes each argument line as one argument, and declares every output
contentctl writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from helpers import ROOT, copy_example

ACTION = ROOT / ".github" / "actions" / "contentctl" / "action.yml"


def _run_step(
    cwd: Path, command: str, args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    action = yaml.safe_load(ACTION.read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env={**os.environ, "PATH": path, "COMMAND": command, "ARGS": args, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def test_each_line_is_one_argument_quoted_or_not(tmp_path: Path) -> None:
    project = copy_example("quickstart", tmp_path)
    rendered = _run_step(
        project, "render", "--var\nproduct=Night Owl Pro\ncarousel/dark-mode-tips\n"
    )
    assert rendered.returncode == 0, rendered.stderr
    assert "3 reasons to switch Night Owl Pro to dark mode" in rendered.stdout

    planned = _run_step(project, "plan", "--select\ncarousel/*\n")
    assert planned.returncode == 0, planned.stderr
    assert "carousel/dark-mode-tips" in planned.stdout
    assert "post/dark-mode-launch" not in planned.stdout  # the glob reached contentctl as is


def test_a_command_with_words_in_it_is_refused(tmp_path: Path) -> None:
    project = copy_example("quickstart", tmp_path)
    refused = _run_step(project, "plan --select carousel/*", "")
    assert refused.returncode == 1
    assert "put its arguments in args, one per line" in refused.stdout


def test_every_output_contentctl_writes_is_declared(tmp_path: Path) -> None:
    project = copy_example("quickstart", tmp_path)
    declared = set(yaml.safe_load(ACTION.read_text())["outputs"])
    written: set[str] = set()
    for command, args in (("plan", "-out\nplan.json\n"), ("apply", "--auto-approve\n")):
        outputs = tmp_path / f"{command}.out"
        outputs.write_text("")
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "CONTENTCTL_SANDBOX": "1",
            "CONTENTCTL_SANDBOX_LATENCY": "0",
        }
        done = _run_step(project, command, args, env)
        assert done.returncode == 0, done.stdout + done.stderr
        written |= {
            line.split("<<")[0] for line in outputs.read_text().splitlines() if "<<" in line
        }
    assert {"has_changes", "credits", "applied", "credits_used"} <= written
    assert written <= declared

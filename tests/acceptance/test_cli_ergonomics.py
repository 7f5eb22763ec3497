"""The command line as a team meets it: global options anywhere, exit codes CI can trust,
errors that say where the project is, one spelling for JSON and saved plans."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from helpers import ROOT, Project

from contentctl.cli import cli


def test_global_options_work_after_the_command(quickstart: Project) -> None:
    root = str(quickstart.root)

    after = quickstart.run_as_typed("plan", "--sandbox", "-C", root, "--detailed-exitcode")
    mixed = quickstart.run_as_typed("--no-color", "plan", "--project-dir", root, "--debug")
    nested = quickstart.run_as_typed("state", "list", "-C", root, "--json")

    assert after.exit_code == 2, after.output  # changes present: nothing applied yet
    assert "Plan: 3 to create" in after.stdout
    assert mixed.exit_code == 0, mixed.output
    assert nested.exit_code == 0 and json.loads(nested.stdout) == {}


def test_the_sandbox_flag_after_the_command_reaches_the_sandbox(quickstart: Project) -> None:
    root = str(quickstart.root)

    result = quickstart.run_as_typed("apply", "--auto-approve", "-C", root, "--sandbox")

    assert result.exit_code == 0, result.output
    assert quickstart.requests()  # the sandbox answered, not a missing API key


def test_a_usage_error_never_exits_2_even_with_detailed_exitcode(quickstart: Project) -> None:
    for argv in (
        ("plan", "--detailed-exitcode", "--bogus"),
        ("--bogus", "plan"),
        ("plna",),
        ("state", "mv", "post/a"),
        ("plan", "--format", "yaml"),
        (),
    ):
        result = quickstart.run(*argv)
        assert result.exit_code == 1, (argv, result.output)
    typo = quickstart.run("plan", "--detailed-exitcode", "--bogus")
    assert "No such option '--bogus'" in typo.stderr


def test_ctrl_c_at_the_approval_prompt_exits_130(quickstart: Project) -> None:
    # stdin is a terminal, so apply asks; SIGINT is what the terminal sends on Ctrl-C.
    terminal, stdin = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "contentctl", "-C", str(quickstart.root), "--sandbox", "apply"],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(stdin)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while b"Do you want to apply?" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 1)
            if ready:
                seen += os.read(process.stdout.fileno(), 4096)
        assert b"Do you want to apply?" in seen, seen
        _until_waiting_for_input(process.pid)
        # A SIGINT that lands just before the read begins is acted on only when input comes
        # (Python checks signals between bytecodes); a person presses again, so does this.
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.5)
        _out, err = process.communicate(timeout=60)
    finally:
        os.close(terminal)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert b"interrupted" in err and b"Aborted" not in err
    assert not quickstart.lockfile.exists()


def _until_waiting_for_input(pid: int) -> None:
    """A signal that lands between the prompt being written and the read starting is only
    acted on once input arrives (Python checks signals between bytecodes): a person is never
    that fast, a test is. Wait until the process sleeps in its read."""
    if not Path(f"/proc/{pid}/stat").exists():  # not Linux: give it time instead
        time.sleep(1)
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "S":
            return
        time.sleep(0.05)


def test_commands_outside_a_project_say_there_is_no_contentctl_yaml(tmp_path: Path) -> None:
    nowhere = Project(tmp_path, {})
    for argv in (
        ("show", "post/x"),
        ("show",),
        ("output", "post/x"),
        ("state", "list"),
        ("state", "show", "post/x"),
        ("unlock",),
    ):
        result = nowhere.run(*argv, sandbox=False)
        assert result.exit_code == 1, argv
        assert f"no contentctl.yaml in {tmp_path}" in result.stderr, (argv, result.stderr)
        assert "-C DIR" in result.stderr
        assert "not in the lockfile" not in result.stderr


def test_json_is_spelled_json_everywhere(applied: Project) -> None:
    for argv in (
        ("plan",),
        ("validate",),
        ("render",),
        ("show",),
        ("output", "post/dark-mode-launch"),
        ("state", "list"),
        ("drift",),
        ("refresh",),
    ):
        result = applied.run(*argv, "--json")
        assert result.exit_code == 0, (argv, result.output)
        json.loads(result.stdout)
    assert applied.run("plan", "--json").stdout == applied.run("plan", "--format", "json").stdout

    clash = applied.run("plan", "--json", "--format", "markdown")
    assert clash.exit_code == 1 and "--json and --format markdown" in clash.stderr


def test_a_saved_plan_takes_o_out_or_dash_out(quickstart: Project, tmp_path: Path) -> None:
    for flag in ("-o", "-out", "--out"):
        saved = tmp_path / f"plan{flag}.json"
        result = quickstart.run("plan", flag, str(saved))
        assert result.exit_code == 0, result.output
        assert json.loads(saved.read_text())["changes"]


def test_refresh_explains_itself() -> None:
    from click.testing import CliRunner

    refresh = CliRunner().invoke(cli, ["refresh", "--help"]).output
    drift = CliRunner().invoke(cli, ["drift", "--help"]).output

    assert "never writes contentctl.lock" in refresh
    assert "contentctl refresh" in refresh.split("Examples:")[1]
    assert refresh.split("Options:")[0] != drift.split("Options:")[0]


def test_apply_shows_what_it_touched_and_ends_with_its_summary(applied: Project) -> None:
    applied.edit("content/launch.yaml", "size: portrait", "size: square")

    result = applied.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    outputs = result.stdout.split("\nOutputs:\n", 1)[1]
    assert "post/dark-mode-launch  (Post" in outputs
    assert "media/hero" not in outputs and "carousel/dark-mode-tips" not in outputs
    assert "2 other resources unchanged: `contentctl show` prints" in outputs
    assert "post/dark-mode-launch images: done (5 credits)" in result.stdout
    assert "[2/2 steps, 5 credits so far]" in result.stdout
    last = result.stdout.rstrip().split("\n\n")[-1]
    assert last.startswith("Apply finished: 2 step(s) run, 5 credits used")


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _all_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_every_help_ends_with_its_examples_groups_too() -> None:
    from click.testing import CliRunner

    commands = _all_commands(cli)
    assert ("lock",) in commands and ("state",) in commands  # the groups are checked too
    for argv in commands:
        shown = CliRunner().invoke(cli, [*argv, "--help"]).output
        blocks = shown.rstrip().split("\n\n")
        last = blocks[-1].strip().splitlines()
        assert last[0] in ("Examples:", "Example:"), (argv, shown)
        assert last[1].lstrip().startswith(("contentctl ", "git ", "POWERPOST_")), argv
        assert shown.index("Options:") < shown.index(last[0]), argv


def test_the_manifest_reference_gives_each_kind_its_own_address() -> None:
    reference = (ROOT / "docs" / "manifests.md").read_text()
    for section in reference.split("\n## ")[1:]:
        title = section.splitlines()[0]
        row = next(line for line in section.splitlines() if line.startswith("| `metadata.name`"))
        if title in ("Campaign",) or title.startswith("Project"):
            assert "forms the address" not in row, title
        else:
            assert f"forms the address ({title.lower()}/<name>)" in row, title

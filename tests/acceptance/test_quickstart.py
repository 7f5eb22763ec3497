"""The README's promise: apply the quickstart on the sandbox, then see that nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import Project, copy_example
from PIL import Image


def test_first_apply_creates_everything_and_prints_outputs(quickstart: Project) -> None:
    result = quickstart.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Plan: 3 to create, 0 to update, 0 to forget." in out
    assert "post/dark-mode-launch captions: submitted (job " in out
    # captions per platform, derived from the prompt
    assert "instagram: ✨ We just launched dark mode for our app!" in out
    assert "tiktok: POV: we just launched dark mode for our app" in out
    assert "x: We just launched dark mode for our app." in out
    assert "image " in out and "media " in out
    assert "file out/dark-mode-tips/slide_01.png" in out

    lock = json.loads(quickstart.lockfile.read_text())
    assert lock["serial"] >= 1 and lock["lineage"]
    post = lock["resources"]["post/dark-mode-launch"]["steps"]
    assert {s["status"] for s in post.values()} == {"completed"}
    assert set(post["captions"]["outputs"]) == {"instagram", "tiktok", "x"}
    assert post["captions"]["credits_used"] == 7  # regular 6 + one input image


def test_carousel_slides_are_real_png_files(applied: Project) -> None:
    slides = sorted((applied.root / "out" / "dark-mode-tips").glob("slide_*.png"))
    assert len(slides) == 5  # start + 3 tips + end, from the Jinja loop
    with Image.open(slides[0]) as image:
        assert image.format == "PNG"
        assert image.size[0] > 100 and image.size[1] > 100


def test_second_plan_is_empty_and_makes_no_request(applied: Project) -> None:
    before = len(applied.requests())

    result = applied.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout
    assert len(applied.requests()) == before


def test_second_apply_makes_no_request_and_keeps_the_lockfile(applied: Project) -> None:
    before = len(applied.requests())
    lock_before = applied.lockfile.read_bytes()

    result = applied.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout
    assert len(applied.requests()) == before
    assert applied.lockfile.read_bytes() == lock_before  # a no-op never bumps the serial


def test_plan_needs_no_keys_and_no_sandbox(quickstart: Project) -> None:
    # Plans run on pull requests from forks, where no secret is available.
    result = quickstart.run("plan", "--detailed-exitcode", sandbox=False)

    assert result.exit_code == 2, result.output
    assert "Estimated cost: 17 credits" in result.stdout
    assert not (quickstart.root / ".contentctl" / "sandbox").exists()


def test_apply_without_keys_names_the_missing_variables(quickstart: Project) -> None:
    result = quickstart.run("apply", "--auto-approve", sandbox=False)

    assert result.exit_code == 1
    assert "POWERPOST_API_KEY" in result.stderr and "POSTNITRO_API_KEY" in result.stderr
    assert not quickstart.lockfile.exists()


def test_apply_without_approval_off_a_terminal_is_an_error(quickstart: Project) -> None:
    result = quickstart.run("apply")

    assert result.exit_code == 1
    assert "--auto-approve" in result.stderr
    assert quickstart.requests() == []


def test_show_prints_what_the_lockfile_records(applied: Project) -> None:
    result = applied.run("show", "post/dark-mode-launch")

    assert result.exit_code == 0, result.output
    assert "captions: completed" in result.stdout
    assert "instagram: ✨" in result.stdout
    assert "carousel/" not in result.stdout

    missing = applied.run("show", "post/nope")
    assert missing.exit_code == 1
    assert "not in the lockfile: post/nope" in missing.stderr


def test_the_sandbox_can_be_chosen_by_environment(quickstart: Project) -> None:
    result = quickstart.run(
        "apply", "--auto-approve", sandbox=False, env={"CONTENTCTL_SANDBOX": "1"}
    )
    assert result.exit_code == 0, result.output
    assert quickstart.calls("POST", "/content/generate")


def _max_in_flight(output: str) -> int:
    in_flight = peak = 0
    for line in output.splitlines():
        if ": submitted (job " in line:
            in_flight += 1
            peak = max(peak, in_flight)
        elif any(f" {step}: done" in line for step in ("captions", "images", "render")):
            in_flight -= 1
    return peak


def test_parallelism_bounds_the_jobs_in_flight(tmp_path: Path) -> None:
    slow = {"CONTENTCTL_SANDBOX_LATENCY": "0.3"}
    serial = Project(copy_example("quickstart", tmp_path / "one"), slow)
    wide = Project(copy_example("quickstart", tmp_path / "four"), slow)

    one = serial.run("apply", "--auto-approve", "--parallelism", "1")
    four = wide.run("apply", "--auto-approve", "--parallelism", "4")

    assert one.exit_code == 0 and four.exit_code == 0
    assert _max_in_flight(one.stdout) == 1
    assert _max_in_flight(four.stdout) == 2  # captions and the carousel render overlap


def test_the_apply_log_off_a_terminal_is_one_plain_line_per_event(quickstart: Project) -> None:
    result = quickstart.run("apply", "--auto-approve", env={"NO_COLOR": ""})

    assert result.exit_code == 0
    assert "\x1b" not in result.output and "\r" not in result.output
    events = [
        line
        for line in result.stdout.splitlines()
        if line.startswith(("media/", "post/", "carousel/")) and ": " in line
    ]
    # one line per step: 7 completions, plus one submission line per asynchronous job
    assert len([e for e in events if ": done" in e]) == 7
    assert len([e for e in events if ": submitted (job " in e]) == 3

"""Carousel options reach PostNitro with the API's own spelling."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import FIXTURES, Project


def _ai_carousel(tmp_path: Path, extra: str) -> Project:
    root = tmp_path / "ai"
    shutil.copytree(FIXTURES / "valid" / "ai-carousel", root)
    manifest = root / "content" / "carousel.yaml"
    manifest.write_text(manifest.read_text() + extra)
    return Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})


def test_generate_images_is_sent_in_camel_case(tmp_path: Path) -> None:
    project = _ai_carousel(tmp_path, "  generate_images: {placement: background, strategy: all}\n")

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    (initiate,) = project.calls("POST", "/post/initiate/generate")
    assert initiate["body"]["generateImages"] == {
        "imagePlacement": "background",
        "imageStrategy": "all",
    }
    assert initiate["body"]["presetId"] == "preset_123"
    assert initiate["body"]["aiGeneration"]["type"] == "article"
    assert initiate["body"]["requestorId"].startswith("contentctl:carousel/tips:")


def test_a_design_carousel_records_its_design_and_downloads_nothing(tmp_path: Path) -> None:
    project = _ai_carousel(tmp_path, "")
    project.edit("content/carousel.yaml", "response_type: PDF", "response_type: DESIGN")

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    steps = json.loads(project.lockfile.read_text())["resources"]["carousel/tips"]["steps"]
    assert steps["render"]["outputs"]["design_id"].startswith("design_")
    assert steps["render"]["outputs"]["editor_url"].startswith("https://")
    assert steps["download"]["outputs"] == {"files": []}
    assert not (project.root / "out").exists()


def test_skipped_ai_images_are_a_warning_on_the_render_step(tmp_path: Path) -> None:
    # A COMPLETED post can have a FAILED GENERATE_IMAGES step: AI images are best effort
    # (postnitro/postnitro-agent src/lib/generation.ts:110-116,
    # src/commands/generate-and-schedule.ts:73-76). The render is kept and paid for.
    project = _ai_carousel(tmp_path, "  generate_images: {context: calm, strategy: all}\n")
    quota = {"CONTENTCTL_SANDBOX_POSTNITRO_IMAGE_QUOTA": "1"}

    result = project.run("apply", "--auto-approve", env=quota)

    assert result.exit_code == 0, result.output
    said = "AI image generation was skipped: AI image quota exceeded: 5 images needed, 1 left"
    assert f"carousel/tips render: warning: {said}" in result.stdout
    assert f"  warning: carousel/tips render: {said}" in result.stdout  # and in the summary
    render = json.loads(project.lockfile.read_text())["resources"]["carousel/tips"]["steps"]
    assert render["render"]["status"] == "completed"
    assert render["render"]["outputs"]["warnings"] == [f"{said} this month"]
    assert f"    warning: {said} this month" in project.run("show", "carousel/tips").stdout
    assert project.run("plan", "--detailed-exitcode").exit_code == 0  # nothing to redo


def test_ai_images_that_were_made_say_nothing(tmp_path: Path) -> None:
    project = _ai_carousel(tmp_path, "  generate_images: {context: calm}\n")

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "warning" not in result.stdout

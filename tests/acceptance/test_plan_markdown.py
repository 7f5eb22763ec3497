"""The Markdown plan of a pull request comment: what manifests say cannot break it, created
resources show their fields, schedules read in the manifest's time zone."""

from __future__ import annotations

from pathlib import Path

from helpers import Project, copy_example
from helpers_markdown import HOSTILE, assert_inert, html, outside_code

POST = "content/launch.yaml"
PROMPT = "    prompt: We just launched dark mode for our app\n"


def _caption(text: str) -> str:
    lines = "".join(f"      {line}\n" for line in text.splitlines())
    return f"    prompt: |\n{lines}"


def test_a_hostile_caption_renders_inert_when_created_and_when_changed(tmp_path: Path) -> None:
    project = Project(copy_example("quickstart", tmp_path), {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    project.edit(POST, PROMPT, _caption(f"{HOSTILE}\n```\ninside a fence\n````"))

    created = project.run("plan", "--format", "markdown")

    assert created.exit_code == 0, created.output
    rendered = html(created.stdout)
    assert_inert(rendered, details=1)
    fields = rendered[rendered.index("<details>") : rendered.index("</details>")]
    # The whole caption, closing tag and all, is inside the one details block, as text.
    assert "Launch day &lt;/details&gt; &lt;img src=x onerror=alert(1)&gt;" in fields
    assert "+   inside a fence" in fields and "+   ````" in fields
    assert "+ captions.prompt: |" in fields
    assert "+ images.size: portrait" in fields and "+ type: image" in fields

    assert project.run("apply", "--auto-approve").exit_code == 0
    project.edit(POST, "Launch day", "Launch night @octocat")
    project.edit(POST, "size: portrait", "size: square")

    changed = project.run("plan", "--format", "markdown")

    assert changed.exit_code == 0, changed.output
    rendered = html(changed.stdout)
    assert_inert(rendered, details=1)
    assert "- images.size: portrait\n+ images.size: square" in rendered
    assert "-   Launch day &lt;/details&gt;" in rendered
    assert "+   Launch night @octocat &lt;/details&gt;" in rendered
    assert "\n    inside a fence\n" in rendered  # an unchanged line, as context
    assert "portrait" not in rendered.replace("- images.size: portrait", "")
    assert "@octocat" not in outside_code(rendered)


SCHEDULE = """\
---
apiVersion: contentctl/v1
kind: Schedule
metadata: {name: tips-monday}
spec:
  carousel: carousel/dark-mode-tips
  at: "2030-06-03T09:00:00"
  time_zone: Europe/Paris
  captions: {common: "Dark mode tips"}
"""


def test_a_created_schedule_shows_its_time_in_the_manifests_zone(tmp_path: Path) -> None:
    project = Project(copy_example("quickstart", tmp_path), {})
    tips = project.root / "content" / "tips.yaml.j2"
    tips.write_text(tips.read_text() + SCHEDULE)

    result = project.run("plan", "--format", "markdown")

    assert result.exit_code == 0, result.output
    assert "+ at: 2030-06-03 09:00 Europe/Paris (07:00 UTC)" in result.stdout
    assert "+ captions.common: Dark mode tips" in result.stdout
    assert "+ status: DRAFT" in result.stdout

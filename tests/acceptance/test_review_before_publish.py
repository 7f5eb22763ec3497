"""Review before publish: a generate stage makes only private, reversible things (captions,
images, renders, drafts); with ``spec.publishing: reviewed`` apply publishes only content an
earlier run generated, and drafts the rest, named as needing review, exit 0."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import Project

from contentctl.validate.schema import validator

REVIEWED = (
    "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: reviewed}\n"
    "spec:\n  publishing: reviewed\n"
)
POST = """\
apiVersion: contentctl/v1
kind: Post
metadata: {name: launch}
spec:
  post_types: [linkedin-post, x-post]
  captions: {prompt: We just launched dark mode}
  publish: true
"""
CAROUSEL = """\
apiVersion: contentctl/v1
kind: Carousel
metadata: {name: tips}
spec:
  template: {name: Bold Headlines}
  brand: {name: Acme}
  response_type: PNG
  slides:
    - {type: starting_slide, heading: Dark mode}
    - {type: body_slide, heading: Easier on the eyes}
    - {type: ending_slide, heading: Try it}
"""
SCHEDULE = """\
apiVersion: contentctl/v1
kind: Schedule
metadata: {name: morning}
spec:
  carousel: carousel/tips
  at: "2030-06-03T09:00:00"
  time_zone: Europe/Paris
  status: SCHEDULED
  captions: {common: "Dark mode tips #Launch"}
  accounts: {linkedin: [acme-co]}
"""
GENERATING = {
    ("POST", "/content/generate"),
    ("POST", "/images/generate"),
    ("POST", "/post/initiate/import"),
    ("POST", "/post/initiate/generate"),
    ("POST", "/posts"),
}
PUBLISHING = {("POST", "/posts/{post_id}/publish"), ("POST", "/schedule")}


def _project(tmp_path: Path, config: str = REVIEWED, *, schedule: bool = True) -> Project:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "contentctl.yaml").write_text(config)
    manifests = [POST, CAROUSEL]
    if schedule:
        manifests.append(SCHEDULE)
    (root / "content" / "launch.yaml").write_text("---\n".join(manifests))
    return Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0", "NO_COLOR": "1"})


def _sent(project: Project, since: int = 0) -> list[tuple[str, str]]:
    """The requests that create or publish something, in order."""
    return [
        (r["method"], r["route"])
        for r in project.requests()[since:]
        if (r["method"], r.get("route")) in GENERATING | PUBLISHING
    ]


def _steps(project: Project) -> dict[str, dict[str, str]]:
    lock = json.loads(project.lockfile.read_text())
    return {
        address: {name: step["status"] for name, step in record["steps"].items()}
        for address, record in lock["resources"].items()
    }


def test_a_post_merged_without_a_generate_stage_is_drafted_and_a_later_run_publishes_it(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path, schedule=False)

    planned = project.run("plan")
    first = project.run("apply", "--auto-approve")  # no terminal, no --allow-publish

    assert "Needs review (made in this run, not published):" in planned.output
    assert (
        "! post/launch (publish held): its captions, draft made in this run, not reviewed yet: "
        "kept as a draft, not published." in planned.output
    )
    assert first.exit_code == 0, first.output
    assert "needs review: post/launch (publish held)" in first.output
    sent = _sent(project)
    assert ("POST", "/posts") in sent and ("POST", "/posts/{post_id}/publish") not in sent
    assert _steps(project)["post/launch"] == {"captions": "completed", "post": "completed"}

    seen = len(project.requests())
    later = project.run("apply", "--auto-approve")

    assert later.exit_code == 0, later.output
    assert "needs review" not in later.output
    assert _sent(project, seen) == [("POST", "/posts/{post_id}/publish")]
    assert _steps(project)["post/launch"]["publish"] == "completed"
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_the_existing_behaviour_publishes_in_the_same_run(tmp_path: Path) -> None:
    config = REVIEWED.replace("publishing: reviewed", "publishing: immediate")
    project = _project(tmp_path, config, schedule=False)

    applied = project.run("apply", "--auto-approve", "--allow-publish")

    assert applied.exit_code == 0, applied.output
    assert "needs review" not in applied.output.lower()
    assert ("POST", "/posts/{post_id}/publish") in _sent(project)


def test_generate_makes_drafts_only_and_the_merge_publishes_without_generating(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)

    generated = project.run("apply", "--generate", "--auto-approve")

    assert generated.exit_code == 0, generated.output
    assert "Waits for the apply after the merge (not run by --generate):" in generated.output
    sent = _sent(project)
    assert not set(sent) & PUBLISHING, sent
    assert ("POST", "/content/generate") in sent and ("POST", "/posts") in sent
    steps = _steps(project)
    assert "publish" not in steps["post/launch"]
    assert steps["carousel/tips"]["render"] == "completed"
    assert "schedule" not in steps.get("schedule/morning", {})
    # Nothing is left to generate: the merge's plan publishes, holds nothing back.
    merge_plan = project.run("plan")
    assert "Needs review" not in merge_plan.output
    assert "Publishing (irreversible):" in merge_plan.output

    seen = len(project.requests())
    merged = project.run("apply", "--auto-approve")

    assert merged.exit_code == 0, merged.output
    assert sorted(_sent(project, seen)) == [
        ("POST", "/posts/{post_id}/publish"),
        ("POST", "/schedule"),
    ]
    [scheduled] = project.calls("POST", "/schedule", seen)
    assert scheduled["body"]["status"] == "SCHEDULED"
    steps = _steps(project)
    assert steps["post/launch"]["publish"] == "completed"
    assert steps["schedule/morning"]["schedule"] == "completed"


def test_a_prompt_edited_after_generating_is_generated_again_and_held_at_the_merge(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    assert project.run("apply", "--generate", "--auto-approve").exit_code == 0
    project.edit("content/launch.yaml", "We just launched dark mode", "Dark mode is here")

    seen = len(project.requests())
    again = project.run("apply", "--generate", "--auto-approve")

    assert again.exit_code == 0, again.output
    # Only the captions and the draft that shows them: the carousel is not rendered again.
    assert _sent(project, seen) == [("POST", "/content/generate"), ("POST", "/posts")]

    # Edited once more and merged without generating: that caption nobody has read.
    project.edit("content/launch.yaml", "Dark mode is here", "Dark mode at last")
    seen = len(project.requests())
    merged = project.run("apply", "--auto-approve")

    assert merged.exit_code == 0, merged.output
    assert "needs review: post/launch (publish held)" in merged.output
    sent = _sent(project, seen)
    assert ("POST", "/posts/{post_id}/publish") not in sent
    # The schedule's carousel was generated before: it goes out.
    assert ("POST", "/schedule") in sent


def test_a_schedule_whose_carousel_is_rendered_at_the_merge_is_held_back(tmp_path: Path) -> None:
    project = _project(tmp_path)

    merged = project.run("apply", "--auto-approve")

    assert merged.exit_code == 0, merged.output
    assert "needs review: schedule/morning (schedule held)" in merged.output
    assert ("POST", "/schedule") not in _sent(project)
    steps = _steps(project)
    assert steps["carousel/tips"]["render"] == "completed"
    assert "schedule" not in steps.get("schedule/morning", {})


def test_a_saved_generate_plan_is_applied_as_saved(tmp_path: Path) -> None:
    project = _project(tmp_path, schedule=False)
    saved = project.root / "plan.json"

    planned = project.run("plan", "--generate", "-out", str(saved))
    data = json.loads(saved.read_text())
    applied = project.run("apply", str(saved))

    assert planned.exit_code == 0, planned.output
    assert data["options"]["generate"] is True
    validator("plan.schema.json").validate(data)
    assert [(h["address"], h["steps"], h["why"]) for h in data["held"]] == [
        ("post/launch", ["publish"], "merge")
    ]
    assert applied.exit_code == 0, applied.output
    assert ("POST", "/posts/{post_id}/publish") not in _sent(project)
    assert "publish" not in _steps(project)["post/launch"]


def test_a_fresh_take_without_editing_the_manifest_is_still_only_a_draft(tmp_path: Path) -> None:
    project = _project(tmp_path, schedule=False)
    assert project.run("apply", "--generate", "--auto-approve").exit_code == 0
    before = json.loads(project.lockfile.read_text())["resources"]["post/launch"]["steps"]

    seen = len(project.requests())
    retaken = project.run("apply", "--generate", "--replace", "post/launch", "--auto-approve")

    assert retaken.exit_code == 0, retaken.output
    assert _sent(project, seen) == [("POST", "/content/generate"), ("POST", "/posts")]
    after = json.loads(project.lockfile.read_text())["resources"]["post/launch"]["steps"]
    assert after["captions"]["remote_id"] != before["captions"]["remote_id"]
    assert "publish" not in after


def test_generate_leaves_deletes_and_updates_of_existing_objects_to_the_merge(
    tmp_path: Path,
) -> None:
    draft = SCHEDULE.replace("status: SCHEDULED", "status: DRAFT")
    project = _project(tmp_path, schedule=False)
    project.write("content/morning.yaml", draft)
    assert project.run("apply", "--auto-approve").exit_code == 0  # a draft schedule exists
    assert _steps(project)["schedule/morning"]["schedule"] == "completed"

    # An edit of the existing schedule: updated in place only on the merge.
    project.edit("content/morning.yaml", "Dark mode tips", "Dark mode, tips")
    seen = len(project.requests())
    edited = project.run("apply", "--generate", "--auto-approve")

    assert edited.exit_code == 0, edited.output
    assert "  schedule/morning: schedule" in edited.output
    assert [r for r in project.requests()[seen:] if r["method"] in ("PUT", "POST")] == []

    # Its manifest removed: deleted only on the merge.
    (project.root / "content" / "morning.yaml").unlink()
    planned = project.run("plan", "--generate")
    removed = project.run("apply", "--generate", "--auto-approve")

    assert "Waits for the apply after the merge (not run by --generate):" in planned.output
    assert "  schedule/morning: delete" in planned.output
    assert removed.exit_code == 0, removed.output
    assert project.calls("DELETE", "/schedule/{schedule_id}", seen) == []
    assert "schedule/morning" in _steps(project)

    merged = project.run("apply", "--auto-approve")

    assert merged.exit_code == 0, merged.output
    assert len(project.calls("DELETE", "/schedule/{schedule_id}", seen)) == 1
    assert "schedule/morning" not in _steps(project)


def test_looking_up_accounts_again_at_the_merge_is_not_content_to_review(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert project.run("apply", "--generate", "--auto-approve").exit_code == 0
    # Another account to post to: its id is looked up at the merge; the slides are unchanged.
    project.edit(
        "content/launch.yaml", "{linkedin: [acme-co]}", "{linkedin: [acme-co], instagram: [acme]}"
    )

    seen = len(project.requests())
    merged = project.run("apply", "--auto-approve")

    assert merged.exit_code == 0, merged.output
    assert "needs review" not in merged.output.lower()
    [scheduled] = project.calls("POST", "/schedule", seen)
    assert scheduled["body"]["status"] == "SCHEDULED"

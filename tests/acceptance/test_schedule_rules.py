"""Schedules held to the rules PostNitro's own CLI applies (postnitro/postnitro-agent v1.2.0),
where the docs pages are stricter: a SCHEDULED post may have captions only, with a warning,
and a LinkedIn document needs its title only once it is SCHEDULED."""

from __future__ import annotations

from pathlib import Path

from helpers import Project

PROJECT = "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: schedules}\n"


def _project(tmp_path: Path, spec: str) -> Project:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "contentctl.yaml").write_text(PROJECT)
    (root / "content" / "schedule.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Schedule\nmetadata: {name: morning}\nspec:\n"
        '  at: "2030-06-03T09:00:00Z"\n' + spec
    )
    return Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})


def test_a_scheduled_post_with_captions_only_is_applied_with_a_warning(tmp_path: Path) -> None:
    # src/lib/schedule-warnings.ts:16-21; PLATFORM_SETTINGS.md:123-125.
    project = _project(
        tmp_path,
        "  status: SCHEDULED\n  captions: {common: Words only}\n"
        "  accounts: {linkedin: [acme-co]}\n",
    )

    validated = project.run("validate")
    applied = project.run("apply", "--auto-approve", "--allow-publish")

    assert validated.exit_code == 0, validated.output
    assert (
        "content/schedule.yaml:6:11: warning: no carousel: the post is published with its "
        "captions only"
    ) in validated.output
    assert applied.exit_code == 0, applied.output
    (sent,) = project.calls("POST", "/schedule")
    assert sent["status"] == 200 and sent["body"]["designId"] is None


def test_a_linkedin_document_draft_needs_no_title_until_it_is_scheduled(tmp_path: Path) -> None:
    # src/lib/schedule-warnings.ts:24-30; PLATFORM_SETTINGS.md:46-47.
    draft = _project(
        tmp_path,
        "  status: DRAFT\n  captions: {common: Our guide}\n"
        "  accounts: {linkedin: [acme-co]}\n  linkedin: {post_type: document}\n",
    )
    assert draft.run("apply", "--auto-approve").exit_code == 0
    (sent,) = draft.calls("POST", "/schedule")
    assert sent["status"] == 200 and sent["body"]["linkedinPostSettings"] == {
        "postType": "document"
    }

    draft.edit("content/schedule.yaml", "status: DRAFT", "status: SCHEDULED")
    refused = draft.run("validate")
    assert refused.exit_code == 1
    assert "content/schedule.yaml:9:3: error: spec.linkedin is missing required field 'title'" in (
        refused.output
    )

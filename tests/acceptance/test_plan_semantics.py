"""Plan and apply at Terraform's level: saved plans bound to the lockfile, renames without
regenerating, budgets, publishing gates, imports, selection, lifecycle, drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import ROOT, Project, make_project, planned_steps

from contentctl.sandbox.state import SandboxState
from contentctl.validate.schema import validator
from contentctl.validate.schema_files import load_schema

POST = "content/launch.yaml"


def _lock(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(project.lockfile.read_text())
    return data


def test_a_saved_plan_applies_once_and_refuses_when_stale(
    quickstart: Project, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    made = quickstart.run("plan", "-out", str(saved))
    assert made.exit_code == 0 and "contentctl apply" in made.stdout
    assert json.loads(saved.read_text())["lockfile"] == {
        "exists": False,
        "lineage": "",
        "serial": 0,
    }

    applied = quickstart.run("apply", str(saved))
    assert applied.exit_code == 0, applied.output  # a saved plan is already approved

    again = quickstart.run("apply", str(saved))  # bound to "no lockfile": cannot run twice
    assert again.exit_code == 1
    assert (
        "saved plan is stale: contentctl.lock changed since it was made (no lockfile "
        "then, serial" in again.stderr
    )
    assert "contentctl plan -out FILE" in again.stderr

    quickstart.edit(POST, "size: portrait", "size: square")
    second = tmp_path / "second.json"
    assert quickstart.run("plan", "-out", str(second)).exit_code == 0
    quickstart.edit(POST, "size: square", "size: landscape")  # changed after review
    stale = quickstart.run("apply", str(second))
    assert stale.exit_code == 1
    assert "manifests changed since it was made: post/dark-mode-launch" in stale.stderr
    before = len(quickstart.requests())
    assert len(quickstart.requests()) == before


@pytest.mark.parametrize(
    "option",
    [
        ["--generate"],
        ["--select", "post/dark-mode-launch"],
        ["--exclude", "media/hero"],
        ["--allow-republish"],
        ["--replace", "media/hero"],
    ],
)
def test_a_saved_plan_refuses_options_it_would_ignore(
    quickstart: Project, tmp_path: Path, option: list[str]
) -> None:
    saved = tmp_path / "plan.json"
    assert quickstart.run("plan", "-out", str(saved)).exit_code == 0

    result = quickstart.run("apply", str(saved), *option)

    assert result.exit_code == 1
    assert "a saved plan is applied exactly as it was made" in result.stderr
    assert quickstart.requests() == [] and not quickstart.lockfile.exists()


@pytest.mark.parametrize("allow", ["--allow-publish", "--allow-republish"])
def test_generate_refuses_an_allowance_it_would_ignore(quickstart: Project, allow: str) -> None:
    result = quickstart.run("apply", "--generate", allow, "--auto-approve")

    assert result.exit_code == 1
    assert "--generate publishes nothing" in result.stderr
    assert quickstart.requests() == []


def test_a_misspelt_content_folder_is_an_error_not_an_empty_project(applied: Project) -> None:
    before = applied.lockfile.read_text()
    applied.edit("contentctl.yaml", "content: [content]", "content: [contnet]")

    for command in (["plan"], ["apply", "--auto-approve"]):
        result = applied.run(*command)
        assert result.exit_code == 1, result.output
        assert (
            "contentctl.yaml:6:13: error: content folder 'contnet' does not exist" in result.stderr
        )
    assert applied.lockfile.read_text() == before  # nothing forgotten


def test_a_no_op_apply_from_a_saved_plan_keeps_the_serial(applied: Project, tmp_path: Path) -> None:
    saved = tmp_path / "noop.json"
    assert applied.run("plan", "-out", str(saved)).exit_code == 0
    serial = _lock(applied)["serial"]

    result = applied.run("apply", str(saved))

    assert result.exit_code == 0 and "No changes." in result.stdout
    assert _lock(applied)["serial"] == serial


def test_rename_with_a_moved_block_makes_no_api_call(applied: Project) -> None:
    ids = {
        n: s.get("remote_id")
        for n, s in _lock(applied)["resources"]["post/dark-mode-launch"]["steps"].items()
    }
    applied.edit(POST, "name: dark-mode-launch", "name: dark-mode-announcement")
    applied.edit(
        "contentctl.yaml",
        "spec:\n",
        "spec:\n  moved:\n    - {from: post/dark-mode-launch, to: post/dark-mode-announcement}\n",
    )

    plan = applied.run("plan")
    assert "> post/dark-mode-announcement" in plan.stdout
    assert "moved from post/dark-mode-launch" in plan.stdout
    assert "Estimated cost: 0 credits" in plan.stdout
    since = len(applied.requests())
    result = applied.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert applied.requests()[since:] == []
    resources = _lock(applied)["resources"]
    assert "post/dark-mode-launch" not in resources
    assert {
        n: s.get("remote_id") for n, s in resources["post/dark-mode-announcement"]["steps"].items()
    } == ids
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0


def test_without_a_moved_block_a_rename_regenerates(applied: Project) -> None:
    applied.edit(POST, "name: dark-mode-launch", "name: dark-mode-announcement")
    plan = applied.run("plan")
    assert "+ post/dark-mode-announcement" in plan.stdout
    assert "- post/dark-mode-launch" in plan.stdout


def test_forgetting_warns_that_the_remote_object_stays(applied: Project) -> None:
    (applied.root / "content" / "tips.yaml.j2").unlink()
    result = applied.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert (
        "carousel/dark-mode-tips: forgotten: the remote object stays; contentctl stops "
        "tracking it" in result.stdout
    )


def test_budget_refuses_a_plan_that_costs_more(quickstart: Project) -> None:
    refused = quickstart.run("apply", "--auto-approve", "--max-credits", "10")
    assert refused.exit_code == 1
    assert "the plan is estimated at 17 credits, over the budget of 10" in refused.stderr
    assert quickstart.requests() == [] and not quickstart.lockfile.exists()

    quickstart.edit("contentctl.yaml", "spec:\n", "spec:\n  budget: {max_credits: 16}\n")
    assert quickstart.run("apply", "--auto-approve").exit_code == 1
    ok = quickstart.run("apply", "--auto-approve", "--max-credits", "17")
    assert ok.exit_code == 0, ok.output
    assert "post/dark-mode-launch: 12 credits used, ~12 credits estimated" in ok.stdout
    assert "PowerPost balance: 1000 credits." in ok.stdout


def test_import_adopts_a_remote_post_without_generating(applied: Project) -> None:
    post_id = _lock(applied)["resources"]["post/dark-mode-launch"]["steps"]["post"]["remote_id"]
    applied.write(
        "content/adopted.yaml",
        """\
apiVersion: contentctl/v1
kind: Post
metadata: {name: adopted}
spec:
  post_types: [x-post]
  captions: {prompt: A post we made by hand earlier}
""",
    )
    since = len(applied.requests())

    result = applied.run("import", "post/adopted", post_id)

    assert result.exit_code == 0, result.output
    assert [r["route"] for r in applied.requests()[since:]] == ["/posts/{post_id}"]
    steps = _lock(applied)["resources"]["post/adopted"]["steps"]
    assert steps["post"]["remote_id"] == post_id and steps["captions"]["outputs"] == {
        "imported": True
    }
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0
    missing = applied.run("import", "post/adopted", "post-nope")
    assert missing.exit_code == 1 and "already in the lockfile" in missing.stderr


def test_import_of_an_unknown_id_is_refused(applied: Project) -> None:
    applied.write(
        "content/adopted.yaml",
        "apiVersion: contentctl/v1\nkind: Post\n"
        "metadata: {name: adopted}\nspec:\n  post_types: [x-post]\n"
        "  captions: {text: {x: hi there}}\n",
    )
    result = applied.run("import", "post/adopted", "post-does-not-exist")
    assert result.exit_code == 1
    assert "post-does-not-exist does not exist in powerpost" in result.stderr


def test_json_plan_validates_against_its_published_schema(applied: Project) -> None:
    applied.edit(POST, "size: portrait", "size: square")
    (applied.root / "content" / "tips.yaml.j2").unlink()
    result = applied.run("plan", "--format", "json", "--replace", "media/hero")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    validator("plan.schema.json").validate(data)
    schema = load_schema("plan.schema.json")
    assert (ROOT / "schemas" / "plan.schema.json").is_file() and schema["title"]
    actions = {c["address"]: c["action"] for c in data["changes"]}
    assert actions == {
        "media/hero": "replace",
        "post/dark-mode-launch": "update",
        "carousel/dark-mode-tips": "forget",
    }
    images = next(
        s
        for c in data["changes"]
        for s in c["steps"]
        if c["address"] == "post/dark-mode-launch" and s["name"] == "images"
    )
    assert images["changes"] == [{"field": "images.size", "before": "portrait", "after": "square"}]
    broken = {**data, "format_version": "0"}
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_diff_shows_field_changes_and_captions_as_a_word_diff(applied: Project) -> None:
    applied.edit(
        POST,
        "prompt: We just launched dark mode for our app",
        "prompt: We just launched a calmer dark mode for our app",
    )
    plan = applied.run("plan", "--diff")
    assert "captions.prompt: We just launched {+a calmer+} dark mode for our app" in plan.stdout
    concise = applied.run("plan")
    assert "captions.prompt:" not in concise.stdout
    assert (
        "~ post/dark-mode-launch   captions, images, post   changed: captions.prompt"
        in concise.stdout
    )


def test_replace_select_and_exclude(applied: Project) -> None:
    forced = planned_steps(
        applied.run("plan", "--diff", "--replace", "carousel/dark-mode-tips").stdout
    )
    assert forced == {"carousel/dark-mode-tips": ["lookup", "render", "download"]}

    applied.edit(POST, "size: portrait", "size: square")
    (applied.root / "assets" / "hero.png").write_bytes(
        (applied.root / "assets" / "hero.png").read_bytes() + b"\0"
    )
    only_media = planned_steps(applied.run("plan", "--diff", "--select", "media/*").stdout)
    assert only_media == {"media/hero": ["upload"]}
    with_labels = planned_steps(
        applied.run("plan", "--diff", "--select", "campaign=dark-mode").stdout
    )
    assert set(with_labels) == {"post/dark-mode-launch", "media/hero"}  # + its dependency
    excluded = planned_steps(applied.run("plan", "--diff", "--exclude", "post/*").stdout)
    assert excluded == {"media/hero": ["upload"]}


def test_ignore_changes_and_prevent_destroy(applied: Project) -> None:
    applied.edit(
        POST,
        "  labels: {campaign: dark-mode}\n",
        "  labels: {campaign: dark-mode}\nlifecycle:\n"
        "  ignore_changes: [captions.prompt]\n  prevent_destroy: true\n",
    )
    applied.edit(
        POST,
        "prompt: We just launched dark mode for our app",
        "prompt: Dark mode, now with a calmer palette",
    )
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0  # the prompt is ignored
    applied.edit(POST, "research_mode: regular", "research_mode: deep")
    assert applied.run("apply", "--auto-approve").exit_code == 0  # records prevent_destroy
    assert _lock(applied)["resources"]["post/dark-mode-launch"]["prevent_destroy"] is True

    text = (applied.root / POST).read_text()
    (applied.root / POST).write_text(text.split("---")[0])  # drop the post, keep the media
    refused = applied.run("apply", "--auto-approve")
    assert refused.exit_code == 1
    assert "lifecycle.prevent_destroy is set" in refused.stdout
    applied.edit(
        "contentctl.yaml", "spec:\n", "spec:\n  removed:\n    - {address: post/dark-mode-launch}\n"
    )
    allowed = applied.run("apply", "--auto-approve")
    assert allowed.exit_code == 0, allowed.output
    assert "post/dark-mode-launch" not in _lock(applied)["resources"]


def test_state_list_show_mv_rm_and_output(applied: Project) -> None:
    listed = applied.run("state", "list")
    assert listed.stdout.splitlines() == [
        "carousel/dark-mode-tips\tcompleted",
        "media/hero\tcompleted",
        "post/dark-mode-launch\tcompleted",
    ]
    shown = json.loads(applied.run("state", "show", "media/hero").stdout)
    assert shown["kind"] == "Media"
    outputs = json.loads(applied.run("output", "post/dark-mode-launch", "--json").stdout)
    assert outputs["captions"]["instagram"].startswith("✨ We just launched dark mode")
    assert applied.run("output", "post/dark-mode-launch").stdout.startswith("captions.")

    assert applied.run("state", "mv", "media/hero", "media/photo").exit_code == 0
    assert "media/photo" in _lock(applied)["resources"]
    assert applied.run("state", "mv", "media/photo", "post/photo").exit_code == 1
    assert applied.run("state", "rm", "media/photo").exit_code == 0
    assert "media/photo" not in _lock(applied)["resources"]


def test_drift_reports_what_changed_remotely_and_changes_nothing(applied: Project) -> None:
    assert applied.run("drift", "--detailed-exitcode").exit_code == 0
    state = SandboxState(applied.root / ".contentctl" / "sandbox")
    post_id = _lock(applied)["resources"]["post/dark-mode-launch"]["steps"]["post"]["remote_id"]
    del state.powerpost["posts"][post_id]  # deleted in the PowerPost dashboard
    state.save()
    lock_before = applied.lockfile.read_bytes()

    result = applied.run("refresh", "--detailed-exitcode")

    assert result.exit_code == 2
    assert f"post/dark-mode-launch: post {post_id} no longer exists in PowerPost" in result.stdout
    assert applied.lockfile.read_bytes() == lock_before
    assert "drift" not in applied.run("plan").stdout.lower()  # kept apart from plans


def test_markdown_for_a_500_resource_plan_stays_under_githubs_limit(tmp_path: Path) -> None:
    project = Project(make_project(tmp_path / "big", media=100, posts=250, carousels=150), {})

    result = project.run("plan", "--format", "markdown")

    assert result.exit_code == 0, result.output
    text = result.stdout
    assert len(text) < 65_535
    assert text.startswith("<!-- contentctl-plan -->")
    assert "**500 to create, 0 to update, 0 to forget**" in text
    for i in range(250):
        assert f"`post/post{i}`" in text
    for i in range(150):
        assert f"`carousel/deck{i}`" in text


def test_renaming_a_referenced_media_with_moved_changes_nothing(applied: Project) -> None:
    applied.edit(POST, "name: hero", "name: hero-photo")
    applied.edit(POST, "media: [media/hero]", "media: [media/hero-photo]")
    applied.edit(
        "contentctl.yaml",
        "spec:\n",
        "spec:\n  moved:\n    - {from: media/hero, to: media/hero-photo}\n",
    )

    plan = applied.run("plan", "--diff")

    assert planned_steps(plan.stdout) == {"media/hero-photo": []}
    assert "Estimated cost: 0 credits" in plan.stdout


def test_data_commands_speak_json(applied: Project) -> None:
    shown = json.loads(applied.run("show", "--json", "media/hero").stdout)
    assert shown["media/hero"]["steps"]["upload"]["status"] == "completed"
    listed = json.loads(applied.run("state", "list", "--json").stdout)
    assert listed["post/dark-mode-launch"] == {
        "captions": "completed",
        "images": "completed",
        "post": "completed",
    }
    assert json.loads(applied.run("drift", "--json").stdout) == []
    validated = json.loads(applied.run("validate", "--format", "json").stdout)
    assert validated["valid"] is True

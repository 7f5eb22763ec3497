"""Every kind in one project (examples/full-campaign): update in place, delete, and a Post
built from a Carousel's slides, each measured in the API calls the sandbox received."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import Project, copy_example

from contentctl.validate.schema import validator

SCHEDULES = "content/schedule.yaml.j2"
CAROUSELS = "content/carousels.yaml.j2"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(scope="module")
def applied_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example applied once; each test works on its own copy of the result."""
    root = copy_example("full-campaign", tmp_path_factory.mktemp("full"))
    project = Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    result = project.run("apply", "--auto-approve", "--allow-publish")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def campaign(applied_once: Path, tmp_path: Path) -> Project:
    import shutil

    target = tmp_path / "full-campaign"
    shutil.copytree(applied_once, target)
    return Project(target, {"CONTENTCTL_SANDBOX_LATENCY": "0"})


def _writes(project: Project, since: int) -> list[tuple[str, str]]:
    """The calls that change something remotely, as (method, route)."""
    return [
        (r["method"], r["route"])
        for r in project.requests()[since:]
        if r["method"] in WRITES and r.get("provider") != "files"
    ]


def _lock(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(project.lockfile.read_text())
    return data["resources"]  # type: ignore[no-any-return]


def test_the_full_campaign_applies_cleanly_and_a_second_plan_is_empty(campaign: Project) -> None:
    resources = _lock(campaign)
    kinds = {r["kind"] for r in resources.values()}
    assert kinds == {"Brand", "Media", "Video", "Carousel", "Post", "Schedule", "CalendarEntry"}
    assert "schedule/weekly.week-2.tip" in resources  # instantiated by the Campaign

    validator("lockfile.schema.json").validate(json.loads(campaign.lockfile.read_text()))
    plan = campaign.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes" in plan.stdout


def test_a_plan_with_updates_and_deletes_validates_against_its_schema(campaign: Project) -> None:
    campaign.edit("content/brand.yaml", 'handle: "@acme"', 'handle: "@acme.app"')
    (campaign.root / "content" / "weekly-tips.yaml").unlink()

    result = campaign.run("plan", "--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    validator("plan.schema.json").validate(data)
    actions = {c["address"]: c["action"] for c in data["changes"] if c["action"] != "no-op"}
    assert actions == {
        "brand/acme": "update",
        "schedule/weekly.week-1.tip": "delete",
        "schedule/weekly.week-2.tip": "delete",
        "carousel/weekly.week-1.tip": "forget",
        "carousel/weekly.week-2.tip": "forget",
    }


def test_changing_a_schedule_time_is_one_put_and_no_render(campaign: Project) -> None:
    schedule_id = _lock(campaign)["schedule/tips-launch"]["steps"]["schedule"]["remote_id"]
    campaign.edit(SCHEDULES, 'at: "{{ launch_day }}T09:00:00"', 'at: "{{ launch_day }}T10:30:00"')

    plan = campaign.run("plan", "--detailed-exitcode", "--diff")
    assert plan.exit_code == 2, plan.output
    assert "at: " in plan.stdout and "Plan: 0 to create, 1 to update" in plan.stdout

    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve", "--allow-publish")

    assert result.exit_code == 0, result.output
    assert _writes(campaign, since) == [("PUT", "/schedule/{schedule_id}")]
    put = campaign.calls("PUT", "/schedule/{schedule_id}", since)[0]
    assert put["path"] == f"/schedule/{schedule_id}"
    # 10:30 in Paris in June is 08:30 UTC, sent with a trailing Z.
    assert put["body"]["scheduledAt"] == "2030-06-03T08:30:00.000Z"
    assert _lock(campaign)["schedule/tips-launch"]["steps"]["schedule"]["remote_id"] == schedule_id
    assert campaign.run("plan", "--detailed-exitcode").exit_code == 0


def test_deleting_a_schedule_manifest_is_one_delete(campaign: Project) -> None:
    schedule_id = _lock(campaign)["schedule/cover-draft"]["steps"]["schedule"]["remote_id"]
    text = (campaign.root / SCHEDULES).read_text()
    start = text.index("# The cover image")
    end = text.index("---", start) + len("---\n")
    (campaign.root / SCHEDULES).write_text(text[:start] + text[end:])

    plan = campaign.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "x schedule/cover-draft" in plan.stdout
    assert "1 to delete" in plan.stdout

    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert _writes(campaign, since) == [("DELETE", "/schedule/{schedule_id}")]
    assert campaign.calls("DELETE", "/schedule/{schedule_id}", since)[0]["path"].endswith(
        schedule_id
    )
    assert "schedule/cover-draft" not in _lock(campaign)
    assert "carousel/launch-cover" in _lock(campaign)  # what it published stays
    assert campaign.run("plan", "--detailed-exitcode").exit_code == 0


def test_changing_a_brand_handle_is_one_put(campaign: Project) -> None:
    brand_id = _lock(campaign)["brand/acme"]["steps"]["brand"]["remote_id"]
    campaign.edit("content/brand.yaml", 'handle: "@acme"', 'handle: "@acme.app"')

    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve", "--allow-publish")

    assert result.exit_code == 0, result.output
    assert _writes(campaign, since) == [("PUT", "/brand/{brand_id}")]
    put = campaign.calls("PUT", "/brand/{brand_id}", since)[0]
    assert put["path"] == f"/brand/{brand_id}"
    assert put["body"]["handle"] == "@acme.app"
    assert len(put["body"]) == 7  # PostNitro wants all seven keys and nothing else
    assert campaign.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_caption_prompt_change_does_not_reupload_the_slides(campaign: Project) -> None:
    before = _lock(campaign)["post/launch"]["steps"]["slides"]
    campaign.edit(
        "content/post.yaml",
        "prompt: We just launched dark mode for our app; three reasons to switch",
        "prompt: Dark mode is here, and it is easy on your eyes",
    )

    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve", "--allow-publish")

    assert result.exit_code == 0, result.output
    assert _writes(campaign, since) == [("POST", "/content/generate"), ("POST", "/posts")]
    assert _lock(campaign)["post/launch"]["steps"]["slides"] == before
    items = campaign.calls("POST", "/posts", since)[0]["body"]["items"]
    slides = before["outputs"]["uploads"][0]["media_ids"]
    instagram = next(i for i in items if i["post_type"] == "instagram-feed")
    assert instagram["media_ids"] == slides


def test_a_slide_change_rerenders_reuploads_and_recreates_the_post(campaign: Project) -> None:
    campaign.edit(CAROUSELS, "heading: 3. Looks great", "heading: 3. Looks great at night")

    plan = campaign.run("plan", "--diff")
    assert plan.exit_code == 0, plan.output

    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve", "--allow-publish")

    assert result.exit_code == 0, result.output
    writes = _writes(campaign, since)
    assert writes.count(("POST", "/post/initiate/import")) == 1
    assert writes.count(("POST", "/media/upload")) == 5  # the five slides, once each
    assert writes.count(("POST", "/posts")) == 1
    # The schedule follows the new design in place; captions are not generated again.
    assert writes.count(("PUT", "/schedule/{schedule_id}")) == 1
    assert ("POST", "/content/generate") not in writes
    assert ("POST", "/schedule") not in writes
    render = _lock(campaign)["carousel/dark-mode-tips"]["steps"]["render"]["outputs"]
    put = campaign.calls("PUT", "/schedule/{schedule_id}", since)[0]
    assert put["body"]["designId"] == render["design_id"]
    assert campaign.run("plan", "--detailed-exitcode").exit_code == 0


def test_the_post_uses_the_video_on_tiktok_only(campaign: Project) -> None:
    video = _lock(campaign)["video/teaser"]["steps"]["video"]["outputs"]
    items = {i["post_type"]: i for i in campaign.calls("POST", "/posts")[0]["body"]["items"]}
    assert items["tiktok-video"]["media_ids"] == [video["media_id"]]
    assert video["media_id"] not in items["instagram-feed"]["media_ids"]
    generate = campaign.calls("POST", "/videos/generate")[0]["body"]
    upload = _lock(campaign)["media/hero"]["steps"]["upload"]["remote_id"]
    assert generate["source_image"] == upload
    assert generate["duration"] == 5 and generate["size"] == "portrait"


def test_an_image_post_sends_one_slide_object(campaign: Project) -> None:
    imports = campaign.calls("POST", "/post/initiate/import")
    image = next(c["body"] for c in imports if c["body"]["postType"] == "IMAGE")
    assert image["slides"] == {"heading": "Nightowl goes dark", "sub_heading": "Out 2030-06-03"}
    files = _lock(campaign)["carousel/launch-cover"]["steps"]["download"]["outputs"]["files"]
    assert len(files) == 1 and (campaign.root / files[0]["path"]).is_file()


def test_calendar_entries_are_patched_in_place_and_deleted(campaign: Project) -> None:
    entry_id = _lock(campaign)["calendarentry/launch-day"]["steps"]["entry"]["remote_id"]
    campaign.edit(SCHEDULES, 'time: "09:00"', 'time: "08:45"')
    since = len(campaign.requests())
    assert campaign.run("apply", "--auto-approve").exit_code == 0
    assert _writes(campaign, since) == [("PATCH", "/calendar/entries/{entry_id}")]
    assert (
        campaign.calls("PATCH", "/calendar/entries/{entry_id}", since)[0]["body"]["scheduled_time"]
        == "08:45"
    )

    text = (campaign.root / SCHEDULES).read_text()
    (campaign.root / SCHEDULES).write_text(text[: text.index("---\n# Planning notes")])
    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert _writes(campaign, since) == [("DELETE", "/calendar/entries/{entry_id}")]
    deleted = campaign.calls("DELETE", "/calendar/entries/{entry_id}", since)[0]
    assert deleted["path"] == f"/calendar/entries/{entry_id}"
    assert "calendarentry/launch-day" not in _lock(campaign)


NEW_SCHEDULE = """\
apiVersion: contentctl/v1
kind: Schedule
metadata: {name: reminder}
spec:
  carousel: carousel/launch-cover
  at: "2030-06-05T18:00:00Z"
  captions: {common: Have you tried dark mode yet?}
"""


def test_scheduling_a_post_to_publish_needs_allow_publish(tmp_path: Path) -> None:
    project = Project(copy_example("full-campaign", tmp_path), {"CONTENTCTL_SANDBOX_LATENCY": "0"})

    refused = project.run("apply", "--auto-approve")

    assert refused.exit_code == 1
    assert "the plan publishes schedule/tips-launch" in refused.stderr
    assert project.requests() == []


def test_a_schedule_in_the_past_is_refused_before_any_call(campaign: Project) -> None:
    campaign.write("content/late.yaml", NEW_SCHEDULE.replace("2030-06-05", "2021-06-05"))

    plan = campaign.run("plan")
    assert "schedule/reminder: spec.at (2021-06-05 18:00 UTC) is not at least 5 minutes" in (
        plan.stdout
    )
    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve")
    assert result.exit_code == 1
    assert campaign.calls("POST", "/schedule", since) == []


def test_prevent_destroy_and_removed_keep_the_remote_schedule(campaign: Project) -> None:
    campaign.write("content/reminder.yaml", NEW_SCHEDULE + "lifecycle: {prevent_destroy: true}\n")
    assert campaign.run("apply", "--auto-approve").exit_code == 0
    (campaign.root / "content/reminder.yaml").unlink()

    blocked = campaign.run("apply", "--auto-approve")
    assert blocked.exit_code == 1
    assert "lifecycle.prevent_destroy is set" in blocked.output

    config = campaign.root / "contentctl.yaml"
    config.write_text(config.read_text() + "  removed: [{address: schedule/reminder}]\n")
    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert _writes(campaign, since) == []  # forgotten, not deleted
    assert "schedule/reminder" not in _lock(campaign)


def test_an_interrupted_schedule_creation_is_found_not_duplicated(campaign: Project) -> None:
    campaign.write("content/reminder.yaml", NEW_SCHEDULE)
    lost = campaign.run("apply", "--auto-approve", env={"CONTENTCTL_SANDBOX_FAULTS": "timeout=1.0"})
    assert lost.exit_code == 1
    record = _lock(campaign)["schedule/reminder"]["steps"]["schedule"]
    assert record["status"] == "submitting"

    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "created by an interrupted run" in result.stdout
    assert campaign.calls("POST", "/schedule", since) == []
    assert len(campaign.calls("POST", "/schedule")) == 5  # four first, one for the reminder
    adopted = _lock(campaign)["schedule/reminder"]["steps"]["schedule"]["remote_id"]
    state = json.loads((campaign.root / ".contentctl/sandbox/state.json").read_text())
    assert adopted in state["postnitro"]["schedules"]
    assert len(state["postnitro"]["schedules"]) == 5


def test_drift_reports_a_schedule_edited_in_postnitro(campaign: Project) -> None:
    assert campaign.run("drift", "--detailed-exitcode").exit_code == 0
    schedule_id = _lock(campaign)["schedule/tips-launch"]["steps"]["schedule"]["remote_id"]
    path = campaign.root / ".contentctl/sandbox/state.json"
    state = json.loads(path.read_text())
    state["postnitro"]["schedules"][schedule_id]["postContents"][0]["text"] = "edited by hand"
    state["postnitro"]["brands"][0]["handle"] = "@someone-else"
    path.write_text(json.dumps(state))

    drift = campaign.run("drift", "--detailed-exitcode")

    assert drift.exit_code == 2, drift.output
    assert "schedule/tips-launch: captions were edited in PostNitro" in drift.stdout
    assert "brand/acme: handle is '@someone-else' in PostNitro" in drift.stdout


def test_an_unknown_account_handle_names_the_connected_ones(campaign: Project) -> None:
    campaign.write("content/reminder.yaml", NEW_SCHEDULE + "  accounts: {linkedin: [nobody]}\n")
    result = campaign.run("apply", "--auto-approve")
    assert result.exit_code == 1
    assert "no linkedin account 'nobody' is connected in PostNitro" in result.output
    assert "connected linkedin accounts: acme-co" in result.output


def test_importing_a_brand_records_it_and_the_next_apply_sends_the_manifest_once(
    campaign: Project,
) -> None:
    campaign.write(
        "content/other-brand.yaml",
        "apiVersion: contentctl/v1\nkind: Brand\nmetadata: {name: nightowl}\n"
        "spec: {name: Nightowl, handle: '@nightowl', image: https://example.com/owl.png}\n",
    )
    result = campaign.run("import", "brand/nightowl", "brand_acme")  # one the sandbox seeds
    assert result.exit_code == 0, result.output

    plan = campaign.run("plan")
    assert "imported: the manifest is sent to it once" in plan.stdout
    since = len(campaign.requests())
    assert campaign.run("apply", "--auto-approve").exit_code == 0
    assert _writes(campaign, since) == [("PUT", "/brand/{brand_id}")]
    assert campaign.calls("PUT", "/brand/{brand_id}", since)[0]["path"] == "/brand/brand_acme"
    assert campaign.run("plan", "--detailed-exitcode").exit_code == 0


def test_the_preview_shows_schedules_and_the_slides_a_post_uses(campaign: Project) -> None:
    result = campaign.run("preview")
    assert result.exit_code == 0, result.output
    page = (campaign.root / "out" / "preview" / "index.html").read_text()

    post = page[page.index("<h2>post/launch</h2>") :].split("</section>")[0]
    instagram = post.split("<div class='card'>")[1]
    assert instagram.count("<img alt='image of post/launch'") == 5  # the five slides
    schedule = page[page.index("<h2>schedule/tips-launch</h2>") :].split("</section>")[0]
    assert "SCHEDULED · 2030-06-03T07:00:00.000Z" in schedule  # 09:00 in Paris, as sent
    assert "linkedin @acme-co" in schedule


def test_replacing_a_schedule_creates_a_new_one_then_deletes_the_old(campaign: Project) -> None:
    old = _lock(campaign)["schedule/cover-draft"]["steps"]["schedule"]["remote_id"]

    since = len(campaign.requests())
    result = campaign.run("apply", "--auto-approve", "--replace", "schedule/cover-draft")

    assert result.exit_code == 0, result.output
    assert _writes(campaign, since) == [
        ("POST", "/schedule"),
        ("DELETE", "/schedule/{schedule_id}"),
    ]
    assert campaign.calls("DELETE", "/schedule/{schedule_id}", since)[0]["path"].endswith(old)
    new = _lock(campaign)["schedule/cover-draft"]["steps"]["schedule"]["remote_id"]
    assert new != old


def test_an_imported_schedule_that_matches_its_manifest_plans_nothing(campaign: Project) -> None:
    remote_id = _lock(campaign)["schedule/tips-launch"]["steps"]["schedule"]["remote_id"]
    assert campaign.run("state", "rm", "schedule/tips-launch").exit_code == 0

    since = len(campaign.requests())
    result = campaign.run("import", "schedule/tips-launch", remote_id)

    assert result.exit_code == 0, result.output
    assert "differs" not in result.stdout
    assert _writes(campaign, since) == []  # read, looked up, recorded: nothing sent
    plan = campaign.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout


def test_an_imported_schedule_that_differs_is_named_and_updated_once(campaign: Project) -> None:
    remote_id = _lock(campaign)["schedule/cover-draft"]["steps"]["schedule"]["remote_id"]
    assert campaign.run("state", "rm", "schedule/cover-draft").exit_code == 0
    campaign.edit(SCHEDULES, "goes dark. #DarkMode", "goes dark tonight.")

    result = campaign.run("import", "schedule/cover-draft", remote_id)

    assert result.exit_code == 0, result.output
    assert "It differs from the manifest (captions)" in result.stdout
    plan = campaign.run("plan")
    assert "~ schedule/cover-draft   schedule   imported" in plan.stdout  # no accounts step
    since = len(campaign.requests())
    assert campaign.run("apply", "--auto-approve").exit_code == 0
    assert _writes(campaign, since) == [("PUT", "/schedule/{schedule_id}")]
    assert campaign.run("plan", "--detailed-exitcode").exit_code == 0

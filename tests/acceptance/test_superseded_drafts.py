"""PowerPost has no API to delete or edit a post: an update of a Post makes a new draft and
leaves the previous one. The plan says so, the lockfile keeps its id, `state orphans` lists
what is left and `drift` says which are still in PowerPost."""

from __future__ import annotations

import json

from helpers import Project

POST = "post/dark-mode-launch"
MANIFEST = "content/launch.yaml"


def _post_id(project: Project) -> str:
    lock = json.loads(project.lockfile.read_text())
    return str(lock["resources"][POST]["steps"]["post"]["remote_id"])


def test_an_update_that_makes_a_new_draft_says_it_leaves_the_old_one(applied: Project) -> None:
    first = _post_id(applied)
    applied.edit(MANIFEST, "size: portrait", "size: square")

    plan = applied.run("plan")

    assert plan.exit_code == 0, plan.output
    left = (
        f"leaves draft {first} behind in PowerPost, which cannot delete it through its API "
        "(`contentctl state orphans` lists what is left)"
    )
    assert f"  ~ {POST}   images, post   changed: images.size   ~5 credits\n    ! {left}\n" in (
        plan.stdout
    )
    saved = applied.root / "plan.json"
    assert applied.run("plan", "-o", str(saved)).exit_code == 0
    (change,) = [c for c in json.loads(saved.read_text())["changes"] if c["address"] == POST]
    assert change["warning"] == left
    markdown = applied.run("plan", "--format", "markdown").stdout
    assert f"| changed: images.size; leaves draft {first} behind in PowerPost," in markdown


def test_the_replaced_draft_is_kept_listed_and_reported_until_deleted(applied: Project) -> None:
    first = _post_id(applied)
    applied.edit(MANIFEST, "size: portrait", "size: square")
    assert applied.run("apply", "--auto-approve").exit_code == 0
    second = _post_id(applied)
    applied.edit(MANIFEST, "size: square", "size: landscape")
    assert applied.run("apply", "--auto-approve").exit_code == 0
    third = _post_id(applied)

    record = json.loads(applied.lockfile.read_text())["resources"][POST]
    assert len({first, second, third}) == 3
    assert [o["record"]["remote_id"] for o in record["orphans"]] == [first, second]
    assert all(o["step"] == "post" for o in record["orphans"])
    assert record["orphans"][0]["reason"] == (
        "draft replaced by an update; PowerPost has no way to delete it through its API: "
        "delete it in PowerPost"
    )
    listed = applied.run("state", "orphans")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        f"{POST}\tpost\t{first}\t{record['orphans'][0]['reason']}",
        f"{POST}\tpost\t{second}\t{record['orphans'][1]['reason']}",
    ]
    rows = json.loads(applied.run("state", "orphans", "--json").stdout)
    assert [r["remote_id"] for r in rows] == [first, second]
    assert f"      reason: {record['orphans'][0]['reason']}" in applied.run("show", POST).stdout

    drift = applied.run("drift")
    assert drift.exit_code == 0, drift.output
    assert f"draft post {first}, replaced by an update, is still in PowerPost" in drift.stdout
    assert f"draft post {second}, replaced by an update" in drift.stdout
    assert applied.run("plan", "--detailed-exitcode").exit_code == 0  # nothing to do


def test_a_project_without_orphans_says_so(applied: Project) -> None:
    result = applied.run("state", "orphans")

    assert result.exit_code == 0
    assert result.stdout == "No orphans: every remote object the lockfile records is in use.\n"

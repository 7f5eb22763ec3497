"""Three-way merge of contentctl.lock: per resource, per step, and never a lost remote id."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from contentctl.errors import LockfileError
from contentctl.lockfile.merge import merge
from contentctl.lockfile.records import Lockfile, ResourceRecord, StepRecord

HASH = "sha256:" + "a" * 64
OTHER_HASH = "sha256:" + "b" * 64


def step(status: str = "completed", remote_id: str | None = None, **extra: Any) -> StepRecord:
    return StepRecord(HASH, status, remote_id=remote_id, **extra)  # type: ignore[arg-type]


def post(**steps: StepRecord) -> ResourceRecord:
    return ResourceRecord("Post", "powerpost", {"file": "content/a.yaml"}, steps)


def lock(serial: int = 1, target: dict[str, Any] | None = None, **resources: Any) -> Lockfile:
    return Lockfile(
        "lineage-1",
        serial,
        {f"post/{name}": record for name, record in resources.items()},
        target=target,
    )


BASE = lock(launch=post(captions=step(remote_id="c1"), images=step(remote_id="i1")))


def plus(lockfile: Lockfile, serial: int, **resources: ResourceRecord) -> Lockfile:
    added = {f"post/{name}": record for name, record in resources.items()}
    return replace(lockfile, serial=serial, resources={**lockfile.resources, **added})


def test_records_of_different_resources_added_on_each_side_are_both_kept() -> None:
    ours = plus(BASE, 2, alpha=post(captions=step(remote_id="a1")))
    theirs = plus(BASE, 2, beta=post(captions=step(remote_id="b1")))

    merged = merge(BASE, ours, theirs)

    assert merged.conflicts == ()
    assert sorted(merged.lockfile.resources) == ["post/alpha", "post/beta", "post/launch"]
    assert merged.lockfile.resources["post/alpha"] == ours.resources["post/alpha"]
    assert merged.lockfile.resources["post/beta"] == theirs.resources["post/beta"]


def test_a_change_on_one_side_only_is_taken() -> None:
    changed = post(captions=step(remote_id="c2"), images=step(remote_id="i1"))
    theirs = lock(2, launch=changed)

    assert merge(BASE, BASE, theirs).lockfile.resources["post/launch"] == changed
    assert merge(BASE, theirs, BASE).lockfile.resources["post/launch"] == changed
    assert merge(BASE, BASE, theirs).conflicts == ()


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    changed = lock(3, launch=post(captions=step(remote_id="c2")))
    merged = merge(BASE, changed, replace(changed, serial=5))
    assert merged.conflicts == ()
    assert merged.lockfile.resources == changed.resources


def test_removed_on_one_side_and_unchanged_on_the_other_is_removed() -> None:
    removed = lock(2)
    assert merge(BASE, removed, BASE).lockfile.resources == {}
    assert merge(BASE, BASE, removed).lockfile.resources == {}
    assert merge(BASE, BASE, removed).conflicts == ()


def test_removed_on_one_side_and_changed_on_the_other_keeps_the_change_and_says_so() -> None:
    changed = lock(2, launch=post(captions=step(remote_id="c2"), images=step(remote_id="i1")))

    for ours, theirs, kept in ((lock(2), changed, "theirs"), (changed, lock(2), "ours")):
        merged = merge(BASE, ours, theirs)
        assert merged.lockfile.resources["post/launch"] == changed.resources["post/launch"]
        [conflict] = merged.conflicts
        assert conflict.address == "post/launch"
        assert f"kept {kept}" in conflict.what and "removed in" in conflict.what


def test_steps_changed_on_different_sides_merge_step_by_step_and_are_reported() -> None:
    ours = lock(2, launch=post(captions=step(remote_id="c2"), images=step(remote_id="i1")))
    theirs = lock(2, launch=post(captions=step(remote_id="c1"), images=step(remote_id="i2")))

    merged = merge(BASE, ours, theirs)

    record = merged.lockfile.resources["post/launch"]
    assert record.steps == {"captions": step(remote_id="c2"), "images": step(remote_id="i2")}
    assert record.orphans == ()
    [conflict] = merged.conflicts
    assert conflict.address == "post/launch"
    assert "captions from ours" in conflict.what and "images from theirs" in conflict.what


@pytest.mark.parametrize(
    ("mine", "other", "kept"),
    [
        ("pending", "completed", "theirs"),
        ("completed", "pending", "ours"),
        ("submitting", "pending", "theirs"),
        ("failed", "submitting", "theirs"),
        ("submitting", "failed", "ours"),
        ("completed", "completed", "ours"),  # a tie: ours
    ],
)
def test_a_step_changed_on_both_sides_keeps_the_further_one_and_orphans_the_other(
    mine: str, other: str, kept: str
) -> None:
    ours = lock(2, launch=post(captions=step(mine, "ours-job"), images=step(remote_id="i1")))
    theirs = lock(2, launch=post(captions=step(other, "their-job"), images=step(remote_id="i1")))

    merged = merge(BASE, ours, theirs)

    record = merged.lockfile.resources["post/launch"]
    winner, loser = (ours, theirs) if kept == "ours" else (theirs, ours)
    assert record.steps["captions"] == winner.resources["post/launch"].steps["captions"]
    [orphan] = record.orphans
    assert orphan["step"] == "captions"
    assert orphan["record"] == loser.resources["post/launch"].steps["captions"].to_json()
    assert "merge conflict" in orphan["reason"]
    [conflict] = merged.conflicts
    assert conflict.address == "post/launch" and f"captions: kept {kept}" in conflict.what


def test_no_orphan_when_the_losing_record_has_no_other_remote_id() -> None:
    base = lock(launch=post(captions=step("pending", "job")))
    ours = lock(2, launch=post(captions=step("completed", "job", credits_used=10)))
    theirs = lock(2, launch=post(captions=step("failed", "job", error="timeout")))
    no_id = lock(2, launch=post(captions=step("submitting", request_ref="r")))

    assert merge(base, ours, theirs).lockfile.resources["post/launch"].orphans == ()
    merged = merge(base, ours, no_id).lockfile.resources["post/launch"]
    assert merged.orphans == () and merged.steps["captions"].status == "completed"


def test_a_step_removed_on_one_side_and_changed_on_the_other_is_kept() -> None:
    # ours dropped the images step (and changed the record), theirs made new images
    ours = lock(2, launch=replace(post(captions=step(remote_id="c1")), prevent_destroy=True))
    theirs = lock(2, launch=post(captions=step(remote_id="c1"), images=step(remote_id="i2")))

    record = merge(BASE, ours, theirs).lockfile.resources["post/launch"]

    assert record.steps["images"] == step(remote_id="i2")


def test_orphans_of_both_sides_are_kept_once() -> None:
    old = {"step": "captions", "reason": "earlier merge", "record": step(remote_id="x").to_json()}
    mine = {"step": "images", "reason": "earlier", "record": step(remote_id="y").to_json()}
    ours = lock(2, launch=replace(post(captions=step(remote_id="c2")), orphans=(old, mine)))
    theirs = lock(2, launch=replace(post(captions=step(remote_id="c3")), orphans=(old,)))

    record = merge(BASE, ours, theirs).lockfile.resources["post/launch"]

    ids = [o["record"].get("remote_id") for o in record.orphans]
    assert ids == ["x", "y", "c3"]


def test_serial_is_one_past_the_larger_side_and_lineage_falls_back_to_base() -> None:
    ours, theirs = replace(BASE, serial=4), replace(BASE, serial=9)
    assert merge(BASE, ours, theirs).lockfile.serial == 10
    assert merge(None, replace(BASE, serial=0), replace(BASE, serial=0)).lockfile.serial == 1

    forked = replace(theirs, lineage="lineage-2")
    assert merge(BASE, ours, forked).lockfile.lineage == "lineage-1"
    other_base = replace(BASE, lineage="old")
    assert merge(other_base, replace(ours, lineage="x"), forked).lockfile.lineage == "old"
    assert merge(None, replace(ours, lineage="x"), forked).lockfile.lineage == "x"


def test_a_missing_base_treats_everything_as_added() -> None:
    ours = lock(1, alpha=post(captions=step(remote_id="a1")))
    theirs = lock(1, alpha=post(captions=step("pending", remote_id="a2")))

    merged = merge(None, ours, theirs)

    record = merged.lockfile.resources["post/alpha"]
    assert record.steps["captions"].remote_id == "a1"
    assert [o["record"]["remote_id"] for o in record.orphans] == ["a2"]
    assert [c.address for c in merged.conflicts] == ["post/alpha"]


SANDBOX = {"sandbox": True}
REAL = {"powerpost": {"base_url": "https://api.powerpost.example", "account": "fp:" + "0" * 16}}


def test_target_is_kept_when_equal_or_known_on_one_side() -> None:
    assert merge(BASE, replace(BASE, target=SANDBOX), BASE).lockfile.target == SANDBOX
    assert merge(BASE, BASE, replace(BASE, target=REAL)).lockfile.target == REAL
    both = replace(BASE, target=REAL)
    assert merge(BASE, both, both).lockfile.target == REAL
    assert merge(BASE, BASE, BASE).lockfile.target is None


def test_targets_of_different_providers_combine() -> None:
    postnitro = {"postnitro": {"base_url": "https://embed-api.postnitro.example"}}
    merged = merge(BASE, replace(BASE, target=REAL), replace(BASE, target=postnitro))
    assert merged.lockfile.target == {**REAL, **postnitro}


def test_records_made_against_different_apis_are_not_merged() -> None:
    with pytest.raises(LockfileError, match="made against different APIs") as caught:
        merge(BASE, replace(BASE, target=SANDBOX), replace(BASE, target=REAL))
    assert "the sandbox" in str(caught.value) and "api.powerpost.example" in str(caught.value)
    assert caught.value.hint
    elsewhere = {"powerpost": {**REAL["powerpost"], "account": "fp:" + "1" * 16}}
    with pytest.raises(LockfileError, match="made against different APIs"):
        merge(BASE, replace(BASE, target=REAL), replace(BASE, target=elsewhere))


def test_resource_fields_come_from_the_side_whose_record_is_taken() -> None:
    moved = replace(BASE.resources["post/launch"], source={"file": "content/b.yaml"})
    protected = replace(moved, prevent_destroy=True)
    merged = merge(BASE, BASE, lock(2, launch=protected))
    assert merged.lockfile.resources["post/launch"].prevent_destroy
    assert merged.lockfile.resources["post/launch"].source == {"file": "content/b.yaml"}


def test_a_conflict_takes_resource_fields_from_the_newer_side() -> None:
    early = step(remote_id="c2", completed_at="2026-03-01T10:00:00Z")
    late = step(remote_id="c3", completed_at="2026-03-02T10:00:00Z")
    ours = lock(2, launch=replace(post(captions=early), source={"file": "ours.yaml"}))
    theirs = lock(
        2, launch=replace(post(captions=late), source={"file": "theirs.yaml"}, prevent_destroy=True)
    )

    theirs_newer = merge(BASE, ours, theirs).lockfile.resources["post/launch"]
    assert theirs_newer.source == {"file": "theirs.yaml"} and theirs_newer.prevent_destroy
    ours_newer = merge(BASE, theirs, ours).lockfile.resources["post/launch"]
    assert ours_newer.source == {"file": "theirs.yaml"}
    undated = lock(2, launch=replace(post(captions=step(remote_id="c4")), source={"file": "x"}))
    dated_theirs = merge(BASE, undated, ours).lockfile.resources["post/launch"]
    assert dated_theirs.source == {"file": "ours.yaml"}
    tie = lock(2, launch=replace(post(captions=step(remote_id="c5")), source={"file": "y"}))
    assert merge(BASE, undated, tie).lockfile.resources["post/launch"].source == {"file": "x"}


def test_a_step_one_side_dropped_and_the_other_kept_is_dropped() -> None:
    ours = lock(2, launch=post(captions=step(remote_id="c1")))  # images no longer in the chain
    theirs = lock(2, launch=post(captions=step(remote_id="c1"), images=step(remote_id="i1")))
    theirs = lock(2, launch=replace(theirs.resources["post/launch"], prevent_destroy=True))

    merged = merge(BASE, ours, theirs)

    assert set(merged.lockfile.resources["post/launch"].steps) == {"captions"}
    assert "images removed in ours" in merged.conflicts[0].what

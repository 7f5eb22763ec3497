"""Properties of the lockfile merge, for random histories: two sides that each changed a
common ancestor, and sides with nothing in common at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contentctl.errors import LockfileError
from contentctl.lockfile.merge import merge
from contentctl.lockfile.records import STEP_STATUSES, Lockfile, ResourceRecord, StepRecord
from contentctl.lockfile.text import dumps, parse
from contentctl.target import combine
from contentctl.validate.schema import validator

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[T]], T]

KINDS = {"post": ("Post", "powerpost"), "media": ("Media", "powerpost")}
KINDS["carousel"] = ("Carousel", "postnitro")
ADDRESSES = ("post/launch", "post/tips", "carousel/deck", "media/hero")
STEPS = ("upload", "captions", "images", "post")
HASHES = tuple(f"sha256:{c * 64}" for c in "abc")
TIMES = (None, "2026-01-01T00:00:00Z", "2026-01-02T08:30:00Z", "2026-02-01T00:00:00Z")
TARGETS = (None, None, {"sandbox": True}, {"powerpost": {"base_url": "https://pp.example"}})


@st.composite
def steps(draw: Draw[Any], side: str) -> StepRecord:
    return StepRecord(
        input_hash=draw(st.sampled_from(HASHES)),
        status=draw(st.sampled_from(STEP_STATUSES)),
        remote_id=draw(st.none() | st.integers(0, 40).map(lambda n: f"{side}-{n}")),
        credits_used=draw(st.sampled_from((None, 0, 2.5, 10))),
        completed_at=draw(st.sampled_from(TIMES)),
        outputs=draw(st.sampled_from(({}, {"post_id": "p"}))),
    )


@st.composite
def resources(draw: Draw[Any], address: str, side: str) -> ResourceRecord:
    kind, provider = KINDS[address.split("/")[0]]
    orphans = draw(st.lists(st.tuples(st.sampled_from(STEPS), steps(side)), max_size=2))
    return ResourceRecord(
        kind,
        provider,
        {"file": draw(st.sampled_from(("content/a.yaml", "content/b.yaml")))},
        draw(st.dictionaries(st.sampled_from(STEPS), steps(side), max_size=3)),
        prevent_destroy=draw(st.booleans()),
        orphans=tuple(
            {"step": name, "reason": "earlier", "record": s.to_json()} for name, s in orphans
        ),
    )


@st.composite
def lockfiles(draw: Draw[Any], side: str) -> Lockfile:
    chosen = draw(st.lists(st.sampled_from(ADDRESSES), unique=True, max_size=4))
    return Lockfile(
        lineage=draw(st.sampled_from(("lineage-1", "lineage-2"))),
        serial=draw(st.integers(0, 20)),
        resources={a: draw(resources(a, side)) for a in chosen},
        target=draw(st.sampled_from(TARGETS)),
    )


@st.composite
def changed(draw: Draw[Any], base: Lockfile, side: str) -> Lockfile:
    """``base`` as a branch left it after applying: records kept, edited, dropped, added."""
    records: dict[str, ResourceRecord] = {}
    for address, record in base.resources.items():
        action = draw(st.sampled_from(("keep", "keep", "drop", "edit")))
        if action == "keep":
            records[address] = record
        elif action == "edit":
            edited = dict(record.steps)
            for name in STEPS:
                how = draw(st.sampled_from(("keep", "keep", "drop", "status", "new")))
                if how == "drop":
                    edited.pop(name, None)
                elif how == "status" and name in edited:
                    status = draw(st.sampled_from(STEP_STATUSES))
                    edited[name] = replace(edited[name], status=status)
                elif how == "new":
                    edited[name] = draw(steps(side))
            records[address] = replace(record, steps=edited, prevent_destroy=draw(st.booleans()))
    for address in draw(st.lists(st.sampled_from(ADDRESSES), unique=True, max_size=2)):
        if address not in base.resources:
            records[address] = draw(resources(address, side))
    return replace(
        base,
        serial=base.serial + draw(st.integers(0, 5)),
        resources=records,
        target=base.target if draw(st.booleans()) else draw(st.sampled_from(TARGETS)),
        exists=True,
    )


@st.composite
def histories(draw: Draw[Any]) -> tuple[Lockfile | None, Lockfile, Lockfile]:
    if draw(st.integers(0, 4)) == 0:  # unrelated sides
        return draw(st.none() | lockfiles("base")), draw(lockfiles("o")), draw(lockfiles("t"))
    base = draw(lockfiles("base"))
    ours = draw(changed(base, "o"))
    theirs = ours if draw(st.integers(0, 5)) == 0 else draw(changed(base, "t"))
    return (None if draw(st.integers(0, 6)) == 0 else base), ours, theirs


def remote_ids(lock: Lockfile | None) -> set[str]:
    return {i for record in (lock.resources.values() if lock else ()) for i in _ids(record)}


def _ids(record: ResourceRecord) -> Iterator[str]:
    yield from (s.remote_id for s in record.steps.values() if s.remote_id)
    yield from (o["record"]["remote_id"] for o in record.orphans if "remote_id" in o["record"])


def merged_or_refused(base: Lockfile | None, ours: Lockfile, theirs: Lockfile) -> Lockfile | None:
    if (
        ours.target is not None
        and theirs.target is not None
        and combine(ours.target, theirs.target) is None
    ):
        with pytest.raises(LockfileError, match="different APIs"):
            merge(base, ours, theirs)
        return None
    return merge(base, ours, theirs).lockfile


@settings(max_examples=200, deadline=None)
@given(histories())
def test_no_remote_id_either_side_created_is_lost(
    history: tuple[Lockfile | None, Lockfile, Lockfile],
) -> None:
    base, ours, theirs = history
    result = merged_or_refused(base, ours, theirs)
    if result is None:
        return
    created = (remote_ids(ours) | remote_ids(theirs)) - remote_ids(base)
    assert created <= remote_ids(result)
    # each resource kept its own ids: an id one side created stays under its address
    for address in result.resources:
        for side in (ours, theirs):
            if address in side.resources:
                mine = set(_ids(side.resources[address])) - remote_ids(base)
                assert mine <= set(_ids(result.resources[address]))


@settings(max_examples=200, deadline=None)
@given(histories())
def test_the_merged_lockfile_is_valid_and_reads_back(
    history: tuple[Lockfile | None, Lockfile, Lockfile],
) -> None:
    result = merged_or_refused(*history)
    if result is None:
        return
    data = result.to_json()
    validator("lockfile.schema.json").validate(data)
    assert parse(dumps(data)) == result


@settings(max_examples=200, deadline=None)
@given(st.none() | lockfiles("base"), lockfiles("x"))
def test_merging_a_lockfile_with_itself_changes_nothing_but_the_serial(
    base: Lockfile | None, same: Lockfile
) -> None:
    merged = merge(base, same, same)
    assert merged.conflicts == ()
    assert merged.lockfile == replace(same, serial=same.serial + 1)


@settings(max_examples=200, deadline=None)
@given(histories())
def test_a_resource_changed_on_one_side_only_comes_through_unchanged(
    history: tuple[Lockfile | None, Lockfile, Lockfile],
) -> None:
    base, ours, theirs = history
    result = merged_or_refused(base, ours, theirs)
    if result is None:
        return
    before = base.resources if base else {}
    for address in {*before, *ours.resources, *theirs.resources}:
        was, mine, other = (x.get(address) for x in (before, ours.resources, theirs.resources))
        if mine == was:
            assert result.resources.get(address) == other
        elif other == was:
            assert result.resources.get(address) == mine

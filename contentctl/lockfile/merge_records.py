"""Three-way merge of one resource's records: step by step when both sides changed it.

Of two records of one step, the further along is kept; the other's remote id, if any, goes to
the resource's ``orphans``, never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, TypeVar

from contentctl.lockfile.records import ResourceRecord, StepRecord

# How far along a step is: of two records of one step, the further one is kept.
PROGRESS = {"completed": 3, "pending": 2, "submitting": 1, "failed": 0}

T = TypeVar("T")


def _three_way(base: T | None, ours: T | None, theirs: T | None) -> tuple[bool, T | None]:
    """(True, the result) when at most one side changed, else (False, None)."""
    if ours == theirs or theirs == base:
        return True, ours
    if ours == base:
        return True, theirs
    return False, None


def merge_resource(
    base: ResourceRecord | None, ours: ResourceRecord | None, theirs: ResourceRecord | None
) -> tuple[ResourceRecord | None, str | None]:
    """The merged record (None: removed) and, when both sides changed it, what
    the merge did."""
    clean, record = _three_way(base, ours, theirs)
    if clean:
        return record, None
    if ours is None or theirs is None:
        kept, gone = ("theirs", "ours") if ours is None else ("ours", "theirs")
        return (
            ours or theirs,
            f"removed in {gone}, changed in {kept}: kept {kept} (remote ids are never dropped)",
        )
    return _both_changed(base, ours, theirs)


def _both_changed(
    base: ResourceRecord | None, ours: ResourceRecord, theirs: ResourceRecord
) -> tuple[ResourceRecord, str]:
    """One resource changed differently on both sides: merged step by step."""
    steps: dict[str, StepRecord] = {}
    orphans: list[Mapping[str, Any]] = [*ours.orphans, *theirs.orphans]
    notes: list[str] = []
    base_steps = base.steps if base is not None else {}
    for name in _ordered(ours.steps, theirs.steps):
        mine, other = ours.steps.get(name), theirs.steps.get(name)
        clean, step = _three_way(base_steps.get(name), mine, other)
        if clean:
            if step is not None:
                steps[name] = step
            if mine != other:
                side = "ours" if step == mine else "theirs"
                notes.append(f"{name} from {side}" if step else f"{name} removed in {side}")
            continue
        if mine is None or other is None:  # removed on one side, changed on the other
            present, side = (mine, "ours") if other is None else (other, "theirs")
            if present is not None:
                steps[name] = present
            notes.append(f"{name} from {side} (removed in the other)")
            continue
        keep_ours = PROGRESS[mine.status] >= PROGRESS[other.status]
        kept, lost = (mine, other) if keep_ours else (other, mine)
        kept_side, lost_side = ("ours", "theirs") if keep_ours else ("theirs", "ours")
        steps[name] = kept
        note = f"{name}: kept {kept_side} ({kept.status})"
        if lost.remote_id is not None and lost.remote_id != kept.remote_id:
            reason = (
                f"merge conflict: {lost_side} had this {lost.status} record, "
                f"{kept_side} a {kept.status} one (kept)"
            )
            orphans.append({"step": name, "reason": reason, "record": lost.to_json()})
            note += f", orphaned {lost_side} ({lost.remote_id})"
        notes.append(note)
    newer = theirs if _latest(theirs) > _latest(ours) else ours
    merged = replace(newer, steps=steps, orphans=_unique(orphans))
    return merged, "changed on both sides; " + ("; ".join(notes) or "records merged")


def _ordered(ours: Mapping[str, StepRecord], theirs: Mapping[str, StepRecord]) -> list[str]:
    """Step names in chain order: ours, then steps only theirs has."""
    return [*ours, *(name for name in theirs if name not in ours)]


def _latest(record: ResourceRecord) -> datetime:
    """When a side last touched this record, from its steps' timestamps."""
    moments = [datetime.min]
    for step in record.steps.values():
        for stamp in (step.submitted_at, step.completed_at):
            if stamp:
                try:
                    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                except ValueError:
                    continue
                if moment.tzinfo is not None:
                    moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
                moments.append(moment)
    return max(moments)


def _unique(orphans: list[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    """Orphans without repeats: the same step record twice is one remote object."""
    seen: set[str] = set()
    kept: list[Mapping[str, Any]] = []
    for orphan in orphans:
        key = json.dumps([orphan.get("step"), orphan.get("record")], sort_keys=True)
        if key not in seen:
            seen.add(key)
            kept.append(orphan)
    return tuple(kept)

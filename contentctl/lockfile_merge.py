"""Three-way merge of ``contentctl.lock``: what two branches that both applied created.

Records are keyed per resource, so records of different resources merge cleanly. A resource
both sides changed is merged step by step and reported; a remote id either side recorded is
never dropped (the losing record of a step goes to the resource's ``orphans``), since a lost
id means paying again for work already paid.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, TypeVar

from contentctl import target
from contentctl.errors import LockfileError
from contentctl.lockfile import Lockfile, ResourceRecord, StepRecord

# How far along a step is: of two records of one step, the further one is kept.
PROGRESS = {"completed": 3, "pending": 2, "submitting": 1, "failed": 0}

T = TypeVar("T")


@dataclass(frozen=True)
class Conflict:
    """A resource both sides changed: what was kept, and what went to its orphans."""

    address: str
    what: str

    def __str__(self) -> str:
        return f"{self.address}: {self.what}"


@dataclass(frozen=True)
class Merged:
    lockfile: Lockfile
    conflicts: tuple[Conflict, ...] = ()


def merge(base: Lockfile | None, ours: Lockfile, theirs: Lockfile) -> Merged:
    """Merge ``theirs`` into ``ours`` against their common ancestor ``base`` (None: none).

    Raises LockfileError when the two sides were made against different APIs: their records
    cannot be mixed.
    """
    base_resources = base.resources if base is not None and base.exists else {}
    resources: dict[str, ResourceRecord] = {}
    conflicts: list[Conflict] = []
    for address in sorted({*base_resources, *ours.resources, *theirs.resources}):
        record, what = _resource(
            base_resources.get(address), ours.resources.get(address), theirs.resources.get(address)
        )
        if record is not None:
            resources[address] = record
        if what is not None:
            conflicts.append(Conflict(address, what))
    lockfile = Lockfile(
        lineage=_lineage(base, ours, theirs),
        serial=max(ours.serial, theirs.serial) + 1,
        resources=resources,
        target=_target(ours, theirs),
    )
    return Merged(lockfile, tuple(conflicts))


def _lineage(base: Lockfile | None, ours: Lockfile, theirs: Lockfile) -> str:
    if ours.lineage == theirs.lineage and ours.lineage:
        return ours.lineage
    candidates = (base.lineage if base is not None else "", ours.lineage, theirs.lineage)
    return next((lineage for lineage in candidates if lineage), "")


def _target(ours: Lockfile, theirs: Lockfile) -> Mapping[str, Any] | None:
    if ours.target is None or theirs.target is None:
        return ours.target if ours.target is not None else theirs.target
    combined = target.combine(ours.target, theirs.target)
    if combined is not None:
        return combined  # e.g. one side used only PowerPost, the other both APIs
    raise LockfileError(
        "cannot merge contentctl.lock: the two lockfiles were made against different APIs "
        f"(ours: {_describe(ours.target)}; theirs: {_describe(theirs.target)})",
        hint="records made against one API mean nothing to the other: keep one side "
        "(git checkout --ours contentctl.lock or --theirs) and apply the other's content again",
    )


def _describe(target: Mapping[str, Any]) -> str:
    if target.get("sandbox"):
        return "the sandbox"
    return ", ".join(
        f"{name} at {api.get('base_url', '?')}" if isinstance(api, Mapping) else name
        for name, api in sorted(target.items())
    )


def _three_way(base: T | None, ours: T | None, theirs: T | None) -> tuple[bool, T | None]:
    """(True, the result) when at most one side changed, else (False, None)."""
    if ours == theirs or theirs == base:
        return True, ours
    if ours == base:
        return True, theirs
    return False, None


def _resource(
    base: ResourceRecord | None, ours: ResourceRecord | None, theirs: ResourceRecord | None
) -> tuple[ResourceRecord | None, str | None]:
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

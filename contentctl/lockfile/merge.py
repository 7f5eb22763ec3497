"""Three-way merge of ``contentctl.lock``: what two branches that both applied created.

Records are keyed per resource, so records of different resources merge cleanly. A resource
both sides changed is merged step by step and reported; a remote id either side recorded is
never dropped (the losing record of a step goes to the resource's ``orphans``), since a lost
id means paying again for work already paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contentctl import target
from contentctl.errors import LockfileError
from contentctl.lockfile.merge_records import merge_resource
from contentctl.lockfile.records import Lockfile, ResourceRecord


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
        record, what = merge_resource(
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

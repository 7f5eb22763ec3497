"""What commands record in the lockfile: a step's record, the target, a resource renamed,
forgotten or imported. Each change is persisted at once (see :class:`LockfileStore`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from contentctl.lockfile.records import ResourceRecord, StepRecord
from contentctl.lockfile.store import LockfileStore


class LockfileWriter(LockfileStore):
    """The lockfile during an apply, an import or a ``state`` or ``lock`` command: its
    records change through these methods only, each change persisted before it returns."""

    def record_step(
        self,
        address: str,
        kind: str,
        provider: str,
        source: Mapping[str, str],
        name: str,
        record: StepRecord | None,
        *,
        prevent_destroy: bool = False,
        strict: bool = False,
        superseded: StepRecord | None = None,
        reason: str = "",
    ) -> None:
        """Record a step (``None``: remove its record; a resource left with no step goes).

        ``superseded``: the step's earlier record, whose remote object stays when ``record``
        replaces it (an API that cannot delete it): kept among the orphans, with ``reason``,
        in the same write. An orphan is never the step's current object.
        """
        resource = self.current.resources.get(address) or ResourceRecord(kind, provider)
        resource = replace(resource, source=dict(source), prevent_destroy=prevent_destroy)
        if record is not None:
            orphans = _orphaned(resource.orphans, name, record, superseded, reason)
            resource = replace(resource, orphans=orphans)
        changed: ResourceRecord | None
        if record is not None:
            changed = resource.with_step(name, record)
        else:
            steps = {n: s for n, s in resource.steps.items() if n != name}
            changed = replace(resource, steps=steps) if steps or resource.orphans else None
        self._change({address: changed}, strict=strict)

    def set_target(self, target: Mapping[str, Any]) -> None:
        """Record what the records are made against (written with the next change)."""
        self.current = replace(self.current, target=dict(target))

    def record_target(self, target: Mapping[str, Any]) -> None:
        """Record what the records are made against, now; raises if it cannot be written."""
        self.set_target(target)
        self._change({}, strict=True)

    def rename(self, old: str, new: str) -> None:
        """Give a record a new address (a ``moved:`` block, ``state mv``)."""
        self._change({old: None, new: self.current.resources[old]})

    def retain_steps(self, address: str, names: set[str] | frozenset[str]) -> None:
        """Drop records of steps no longer in a resource's chain."""
        resource = self.current.resources.get(address)
        if resource is None or set(resource.steps) <= names:
            return
        kept = replace(resource, steps={n: s for n, s in resource.steps.items() if n in names})
        self._change({address: kept})

    def mark_replacing(self, address: str, names: set[str], marker: str) -> None:
        """Give the completed records of these steps the ``marker`` hash (an apply --replace
        starts): each keeps it until the step has run again."""
        resource = self.current.resources.get(address)
        if resource is None:
            return
        steps = {
            name: replace(step, input_hash=marker)
            if name in names and step.status == "completed"
            else step
            for name, step in resource.steps.items()
        }
        if steps != dict(resource.steps):
            self._change({address: replace(resource, steps=steps)})

    def forget(self, address: str) -> None:
        self._change({address: None})

    def replace_all(self, resources: Mapping[str, ResourceRecord]) -> None:
        """Make the records exactly ``resources`` (a bulk import), in one write."""
        current = self.current.resources
        changes: dict[str, ResourceRecord | None] = {
            a: r for a, r in resources.items() if current.get(a) is not r
        }
        changes.update({a: None for a in current if a not in resources})
        self._change(changes)


def _orphaned(
    orphans: tuple[Mapping[str, Any], ...],
    step: str,
    record: StepRecord,
    superseded: StepRecord | None,
    reason: str,
) -> tuple[Mapping[str, Any], ...]:
    """A step's orphans once ``record`` replaces ``superseded``: the superseded remote object
    added (once), and the current one never among them."""

    def orphan_id(orphan: Mapping[str, Any]) -> Any:
        return (orphan.get("record") or {}).get("remote_id") if orphan.get("step") == step else None

    kept = list(orphans)
    if (
        superseded is not None
        and superseded.remote_id
        and superseded.remote_id != record.remote_id
        and all(orphan_id(o) != superseded.remote_id for o in kept)
    ):
        kept.append({"step": step, "reason": reason, "record": superseded.to_json()})
    current = record.remote_id
    return tuple(o for o in kept if not current or orphan_id(o) != current)

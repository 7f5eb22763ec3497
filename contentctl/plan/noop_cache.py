"""Resources a plan found unchanged, with what that verdict read, so that the next plan
knows them unchanged again without building and hashing their steps.

A resource is a no-op (every step kept, nothing held, refused or left behind) by what the
planner reads of it: its document (its ``key``, load/documents.py: everything it was made
from), the bytes of the local files it sends (Kind.files, digested by
plan/media_hashes.py), its own record in the lockfile and the records of the resources its
steps consume (by their fingerprints in the lockfile's digest, plan/lock_digest.py), and
whether one of those steps runs in this plan. A verdict is used again only while all of
these are the same, and never for a resource that is forced (``--replace``), moved, or has
``lifecycle.ignore_changes``: then, and for anything else, the planner decides as always.
Prices, the clock, ``--generate``, ``--allow-republish`` and the publishing mode only
matter to steps that run, which a no-op has none of. Signed (load/signed.py), with
contentctl and its schemas in the signature; written when it changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from contentctl.config import Project
from contentctl.kinds import KINDS, steps_for
from contentctl.load import signed
from contentctl.load.inputs import digest_of
from contentctl.lockfile.records import Lockfile
from contentctl.model import Resource
from contentctl.plan import media_hashes
from contentctl.plan.changes import ResourceChange, StepChange
from contentctl.plan.lock_digest import Records
from contentctl.plan.reasons import Why
from contentctl.plan.steps import StepSpec
from contentctl.validate.cache import _fingerprint

STORE = "plan-noop.json"


class NoopCache:
    def __init__(
        self, root: Path, state_dir: Path | None = None, records: Records | None = None
    ) -> None:
        self.root = root
        self.records = records
        self.secret = signed.signing_key() if records is not None else None
        self.path = (state_dir or root) / "cache" / STORE
        self.purpose = digest_of("no-op", signed.code_fingerprint(), _fingerprint(), str(root))
        found = signed.read(self.path, self.secret, self.purpose) if self.secret else None
        self.known: dict[str, Any] = found if isinstance(found, dict) else {}
        self.kept: dict[str, Any] = {}
        self.changed = False

    @classmethod
    def of(cls, project: Project, lock: Lockfile) -> NoopCache:
        """The verdicts of ``project``'s last plans; none unless ``lock`` was read from its
        digest (whose fingerprints they are checked against)."""
        records = lock.resources if isinstance(lock.resources, Records) else None
        return cls(project.root, project.state_dir, records)

    @classmethod
    def none(cls) -> NoopCache:
        return cls(Path())

    def names(self, resource: Resource) -> list[str] | None:
        """The names of ``resource``'s steps, when a verdict about it holds."""
        found = self._entry(resource)
        return [step[0] for step in found[3]] if found else None

    def change(self, resource: Resource, runs: dict[str, bool]) -> ResourceChange | None:
        """``resource``'s change, a no-op, when its verdict holds; its steps are then marked
        as not running in ``runs``."""
        found = self._entry(resource)
        if found is None or any(runs.get(key) for key in found[2]):
            return None
        address = resource.address
        steps = []
        for i, (name, paid, publishes, input_hash) in enumerate(found[3]):
            runs[f"{address}#{name}"] = False
            steps.append(_kept(name, paid, input_hash, publishes, _Fields(self.root, resource, i)))
        kind = resource.kind
        return ResourceChange(
            address, kind, "no-op", tuple(steps), resource.source_file, time_zone=found[4]
        )

    def remember(
        self,
        resource: Resource,
        specs: Sequence[StepSpec],
        change: ResourceChange,
        runs: Mapping[str, bool],
    ) -> None:
        """Keep the verdict on ``resource`` when it is a no-op (planned as always)."""
        key = resource.document.key
        if self.records is None or key is None or not _unchanged(change, specs, resource):
            return
        waits = sorted({u.key for spec in specs for u in spec.upstream})
        records = self._records(resource.address, waits)
        steps = [[s.name, s.paid, s.publishes, s.input_hash] for s in change.steps]
        self.kept[key] = [self._files(resource), records, waits, steps, change.time_zone]
        self.changed = True

    def save(self) -> None:
        if self.secret is None or (not self.changed and self.kept.keys() == self.known.keys()):
            return
        signed.write(self.path, self.secret, self.purpose, self.kept)

    def _entry(self, resource: Resource) -> list[Any] | None:
        key = resource.document.key
        if self.records is None or key is None:
            return None
        found = self.kept.get(key) or self.known.get(key)
        if (
            not isinstance(found, list)
            or found[1] != self._records(resource.address, found[2])
            or found[0] != self._files(resource)
        ):
            return None
        self.kept[key] = found
        return found

    def _records(self, address: str, waits: Sequence[str]) -> str:
        """One digest of the fingerprints of the resource's record and of those its steps
        consume (``waits``: "address#step")."""
        assert self.records is not None
        addresses = dict.fromkeys([address, *(key.rpartition("#")[0] for key in waits)])
        found = [self.records.fingerprint(a) or "-" for a in addresses]
        return hashlib.sha256("\0".join(found).encode()).hexdigest()

    def _files(self, resource: Resource) -> list[list[str | None]]:
        files = KINDS[resource.kind].files(resource, self.root)
        if not files:
            return []
        hashes = media_hashes.for_project(self.root)
        out: list[list[str | None]] = []
        for path in files:
            try:
                out.append([str(path), hashes.digest(path)])
            except OSError:
                out.append([str(path), None])
        return out


class _Fields(Mapping[str, Any]):
    """The fields of a kept step, made again (Kind.steps) only if something looks at them."""

    __slots__ = ("_index", "_resource", "_root", "_value")

    def __init__(self, root: Path, resource: Resource, index: int) -> None:
        self._root = root
        self._resource = resource
        self._index = index
        self._value: Mapping[str, Any] | None = None

    @property
    def value(self) -> Mapping[str, Any]:
        if self._value is None:
            self._value = steps_for(self._resource, self._root)[self._index].fields
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self.value[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        return repr(dict(self.value))


def _kept(
    name: str, paid: bool, input_hash: str, publishes: bool, fields: Mapping[str, Any]
) -> StepChange:
    """A step kept as it is, as plan/diff.py says so."""
    return StepChange(
        name,
        "keep",
        "unchanged",
        0,
        paid,
        input_hash,
        changes=(),
        publishes=publishes,
        after=None,
        inputs=fields,
        why=Why.UNCHANGED,
    )


def _unchanged(change: ResourceChange, specs: Sequence[StepSpec], resource: Resource) -> bool:
    """A no-op whose steps are all kept, and a resource whose fields are all compared."""
    data = resource.document.data
    lifecycle = data.get("lifecycle") if isinstance(data, Mapping) else None
    return (
        change.action == "no-op"
        and not (change.blocked or change.unblock or change.warning or change.moved_from)
        and len(change.steps) == len(specs)
        and all(
            s.action == "keep" and s.why == Why.UNCHANGED and not s.changes and s.after is None
            for s in change.steps
        )
        and not (isinstance(lifecycle, Mapping) and lifecycle.get("ignore_changes"))
    )

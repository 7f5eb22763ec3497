"""``contentctl.lock``: what exists remotely. Read, written atomically after every step, leased.

The file is deterministic JSON (sorted keys, 2-space indent, trailing newline) so git diffs
stay small. It never holds secrets: only ids, hashes and what the APIs generated.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from contentctl.errors import Location, LockfileError

FORMAT_VERSION = "1.0"
StepStatus = Literal["submitting", "pending", "completed", "failed"]
STEP_STATUSES = ("submitting", "pending", "completed", "failed")
# What git leaves in a file it could not merge.
CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})(?![<=>])", re.MULTILINE)


@dataclass(frozen=True)
class StepRecord:
    """One step of one resource: what was sent (as hashes) and what came back."""

    input_hash: str
    status: StepStatus
    inputs: Mapping[str, Any] = field(default_factory=dict)  # what was sent, per spec field
    remote_id: str | None = None
    outputs: Mapping[str, Any] = field(default_factory=dict)
    credits_used: float | None = None
    submitted_at: str | None = None
    completed_at: str | None = None
    error: str | None = None
    request_ref: str | None = None  # what identifies a submission we may have to reconcile

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"input_hash": self.input_hash, "status": self.status}
        for name in (
            "remote_id",
            "credits_used",
            "submitted_at",
            "completed_at",
            "error",
            "request_ref",
        ):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.inputs:
            data["inputs"] = dict(self.inputs)
        if self.outputs:
            data["outputs"] = self.outputs
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepRecord:
        status = data.get("status")
        if status not in STEP_STATUSES or not isinstance(data.get("input_hash"), str):
            raise ValueError(f"bad step record {data!r}")
        return cls(
            input_hash=data["input_hash"],
            status=status,
            inputs=data.get("inputs", {}),
            remote_id=data.get("remote_id"),
            outputs=data.get("outputs", {}),
            credits_used=data.get("credits_used"),
            submitted_at=data.get("submitted_at"),
            completed_at=data.get("completed_at"),
            error=data.get("error"),
            request_ref=data.get("request_ref"),
        )


@dataclass(frozen=True)
class ResourceRecord:
    kind: str
    provider: str
    source: Mapping[str, str] = field(default_factory=dict)
    steps: Mapping[str, StepRecord] = field(default_factory=dict)
    prevent_destroy: bool = False  # remembered: it matters once the manifest is gone
    # Remote objects that exist but are no longer this resource's current records (a draft
    # an update replaced, the losing side of a merge conflict): kept so that no remote id is
    # ever lost. Each is {"step", "reason", "record"}.
    orphans: tuple[Mapping[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "provider": self.provider,
            "source": dict(self.source),
            "steps": {name: step.to_json() for name, step in self.steps.items()},
        }
        if self.prevent_destroy:
            data["prevent_destroy"] = True
        if self.orphans:
            data["orphans"] = [dict(o) for o in self.orphans]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourceRecord:
        return cls(
            kind=data["kind"],
            provider=data["provider"],
            source=data.get("source", {}),
            steps={n: StepRecord.from_json(s) for n, s in data.get("steps", {}).items()},
            prevent_destroy=bool(data.get("prevent_destroy", False)),
            orphans=tuple(data.get("orphans", ())),
        )

    def with_step(self, name: str, record: StepRecord) -> ResourceRecord:
        return replace(self, steps={**self.steps, name: record})


@dataclass(frozen=True)
class Lockfile:
    lineage: str
    serial: int
    resources: Mapping[str, ResourceRecord] = field(default_factory=dict)
    exists: bool = True  # False for the empty lockfile of a project never applied
    # What the records were made against: {"sandbox": true}, or per provider its base URL
    # and a one-way fingerprint of the workspace (see contentctl.target). None: not recorded.
    target: Mapping[str, Any] | None = None

    @classmethod
    def empty(cls) -> Lockfile:
        return cls(lineage="", serial=0, exists=False)

    def step(self, address: str, name: str) -> StepRecord | None:
        record = self.resources.get(address)
        return record.steps.get(name) if record else None

    def to_json(self) -> dict[str, Any]:
        data = {
            "format_version": FORMAT_VERSION,
            "lineage": self.lineage,
            "serial": self.serial,
            "resources": {a: r.to_json() for a, r in sorted(self.resources.items())},
        }
        if self.target is not None:
            data["target"] = dict(self.target)
        return data


def _orphaned(
    orphans: tuple[Mapping[str, Any], ...],
    step: str,
    record: StepRecord,
    superseded: StepRecord | None,
    reason: str,
) -> tuple[Mapping[str, Any], ...]:
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


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read(path: Path) -> Lockfile:
    """The lockfile at ``path``, or an empty one if there is none yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Lockfile.empty()
    except (OSError, UnicodeDecodeError) as exc:
        raise LockfileError(
            f"cannot read {path.name}: {exc}", location=Location(str(path))
        ) from exc
    return parse(text, path.name)


def parse(text: str, name: str = "contentctl.lock") -> Lockfile:
    """A lockfile from its text; ``name`` is what errors call it."""
    try:
        data = json.loads(text)
        if data.get("format_version") != FORMAT_VERSION:
            raise LockfileError(
                f"{name} has format_version {data.get('format_version')!r}; "
                f"this contentctl reads {FORMAT_VERSION}",
                hint="upgrade contentctl",
            )
        resources = {a: ResourceRecord.from_json(r) for a, r in data["resources"].items()}
        target = data.get("target")
        if target is not None and not isinstance(target, dict):
            raise ValueError("target must be an object")
        return Lockfile(
            lineage=data["lineage"], serial=int(data["serial"]), resources=resources, target=target
        )
    except LockfileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if CONFLICT_MARKER.search(text):
            raise LockfileError(
                f"{name} has unresolved merge conflicts",
                hint="run `contentctl lock resolve` to merge its records (nothing is lost), "
                "and `contentctl lock install-driver` so that git merges it next time",
            ) from None
        raise LockfileError(
            f"{name} is not a valid lockfile: {exc}",
            hint="restore it from git (git checkout -- contentctl.lock)",
        ) from exc


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old or the new file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_error(path: Path, exc: OSError, doing: str = "write") -> LockfileError:
    """A failed write of a file contentctl keeps, as one line with what to do about it."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        hint = "free some disk space, then run the command again"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        hint = (
            f"make {path.parent} writable (and {path.name} not immutable: "
            f"lsattr {path.name}; chattr -i {path.name})"
        )
    else:
        hint = "check the disk and the file's permissions, then run the command again"
    return LockfileError(
        f"cannot {doing} {path.name}: {reason}", hint=hint, location=Location(str(path))
    )


class LockfileWriter:
    """Holds the current lockfile during apply and persists every change at once.

    The serial goes up only when content changes, so a no-op apply writes nothing.

    A *strict* write (the record made before a request goes out) raises when it cannot
    be written and changes nothing: the request is then not sent. Any other write keeps
    its record in memory when the disk refuses it (the remote object exists: it must
    not be forgotten), remembers the error in ``unsaved``, and is retried by every later
    write and by :meth:`flush`.
    """

    def __init__(self, path: Path, lockfile: Lockfile) -> None:
        self.path = path
        self.current = (
            lockfile if lockfile.exists else replace(lockfile, lineage=str(uuid.uuid4()), serial=0)
        )
        self._written = dict(lockfile.resources) if lockfile.exists else None
        self._written_target = lockfile.target if lockfile.exists else None
        self.unsaved: LockfileError | None = None
        # JSON of each record as last written: a write re-encodes only what changed.
        self._texts: dict[str, tuple[ResourceRecord, str]] = {}

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
        if record is not None:
            resources = {**self.current.resources, address: resource.with_step(name, record)}
        else:
            steps = {n: s for n, s in resource.steps.items() if n != name}
            resources = {a: r for a, r in self.current.resources.items() if a != address}
            if steps or resource.orphans:
                resources[address] = replace(resource, steps=steps)
        self._save(resources, strict=strict)

    def set_target(self, target: Mapping[str, Any]) -> None:
        """Record what the records are made against (written with the next change)."""
        self.current = replace(self.current, target=dict(target))

    def record_target(self, target: Mapping[str, Any]) -> None:
        """Record what the records are made against, now; raises if it cannot be written."""
        self.set_target(target)
        self._save(self.current.resources, strict=True)

    def rename(self, old: str, new: str) -> None:
        """Give a record a new address (a ``moved:`` block, ``state mv``)."""
        resources = dict(self.current.resources)
        resources[new] = resources.pop(old)
        self._save(resources)

    def retain_steps(self, address: str, names: set[str] | frozenset[str]) -> None:
        """Drop records of steps no longer in a resource's chain."""
        resource = self.current.resources.get(address)
        if resource is None or set(resource.steps) <= names:
            return
        kept = replace(resource, steps={n: s for n, s in resource.steps.items() if n in names})
        self._save({**self.current.resources, address: kept})

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
            self._save({**self.current.resources, address: replace(resource, steps=steps)})

    def forget(self, address: str) -> None:
        self._save({a: r for a, r in self.current.resources.items() if a != address})

    def text(self) -> str:
        """The lockfile as it stands in memory, as it would be written."""
        return self._dumps(self.current)

    def flush(self) -> None:
        """Write what an earlier failed write left only in memory; raises if it still fails."""
        if self.unsaved is not None:
            self.unsaved = self._write(self.current)
            if self.unsaved is not None:
                raise self.unsaved

    def _save(self, resources: Mapping[str, ResourceRecord], *, strict: bool = False) -> None:
        candidate = replace(self.current, resources=resources)
        if (
            dict(resources) == self._written
            and candidate.target == self._written_target
            and self.unsaved is None
        ):
            self.current = candidate
            return
        candidate = replace(candidate, serial=self.current.serial + 1, exists=True)
        failed = self._write(candidate)
        if failed is not None and strict:
            raise failed  # nothing changes
        self.current = candidate
        self.unsaved = failed

    def _write(self, lock: Lockfile) -> LockfileError | None:
        try:
            write_atomic(self.path, self._dumps(lock))
        except OSError as exc:
            return write_error(self.path, exc)
        self._written = dict(lock.resources)
        self._written_target = lock.target
        return None

    def _dumps(self, lock: Lockfile) -> str:
        """Exactly ``dumps(lock.to_json())``, re-encoding only records that changed."""
        parts = []
        for address in sorted(lock.resources):
            record = lock.resources[address]
            cached = self._texts.get(address)
            if cached is None or cached[0] is not record:
                text = json.dumps(
                    record.to_json(), indent=2, sort_keys=True, ensure_ascii=False
                ).replace("\n", "\n    ")
                cached = self._texts[address] = (record, text)
            parts.append(f"    {json.dumps(address, ensure_ascii=False)}: {cached[1]}")
        for address in set(self._texts) - set(lock.resources):
            del self._texts[address]
        body = "{\n" + ",\n".join(parts) + "\n  }" if parts else "{}"
        head = {"format_version": FORMAT_VERSION, "lineage": lock.lineage}
        target = ""
        if lock.target is not None:
            encoded = json.dumps(dict(lock.target), indent=2, sort_keys=True, ensure_ascii=False)
            target = f',\n  "target": {encoded.replace(chr(10), chr(10) + "  ")}'
        return (
            f'{{\n  "format_version": {json.dumps(head["format_version"])},\n'
            f'  "lineage": {json.dumps(head["lineage"])},\n'
            f'  "resources": {body},\n  "serial": {lock.serial}{target}\n}}\n'
        )

"""``contentctl.lock``: what exists remotely. Read, written durably after every step, leased.

The file is deterministic JSON (sorted keys, 2-space indent, trailing newline) so git diffs
stay small. It never holds secrets: only ids, hashes and what the APIs generated.

During an apply, a change is not a rewrite of the whole file: it is one line appended (and
fsync'd) to a journal, ``.contentctl/contentctl.lock.journal``, which is never committed.
:func:`read` replays the journal over the file, so every reader (plan, drift, the lock
commands, the apply after a kill -9) sees every record. The journal is compacted into
``contentctl.lock`` when the apply starts writing, whenever it has grown as large as the
lockfile, when the apply has been quiet for a moment, and at the end (also on interrupt).
Replaying a journal line assigns records, so replaying one already compacted changes
nothing.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
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
    # A digest of the bytes it was read from (file and journal): see :func:`fingerprint`.
    source: str | None = field(default=None, compare=False)

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
        raw: bytes | None = path.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError as exc:
        raise LockfileError(
            f"cannot read {path.name}: {exc}", location=Location(str(path))
        ) from exc
    source = _digest(raw, path)
    if raw is None:
        return replace(replay(Lockfile.empty(), journal_path(path)), source=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LockfileError(
            f"cannot read {path.name}: {exc}", location=Location(str(path))
        ) from exc
    del raw
    return replace(replay(parse(text, path.name), journal_path(path)), source=source)


def fingerprint(path: Path) -> str | None:
    """A digest of what :func:`read` would read at ``path`` now (None: unreadable): equal
    to a lockfile's ``source`` when nothing changed since, found without parsing it."""
    try:
        return _digest(path.read_bytes() if path.exists() else None, path)
    except OSError:
        return None


def _digest(raw: bytes | None, path: Path) -> str:
    import hashlib

    digest = hashlib.sha256(b"missing" if raw is None else b"file:" + raw)
    try:
        digest.update(b"\0journal:" + journal_path(path).read_bytes())
    except OSError:
        digest.update(b"\0no journal")
    return digest.hexdigest()


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


JOURNAL_VERSION = 1


def journal_path(path: Path) -> Path:
    """Where the journal of the lockfile at ``path`` is kept (with the apply's lock file)."""
    return path.parent / ".contentctl" / f"{path.name}.journal"


def replay(lock: Lockfile, path: Path) -> Lockfile:
    """``lock`` with the records of the journal at ``path`` (if any) applied over it.

    A last line without its newline is a write a crash cut short: it was never durable, and
    nothing was sent on its account (the record before a request is written first)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return lock
    except OSError as exc:
        raise LockfileError(
            f"cannot read {path.name}: {exc}", location=Location(str(path))
        ) from exc
    lines = data.split(b"\n")[:-1]  # what follows the last newline is torn
    if not lines:
        return lock
    try:
        head = json.loads(lines[0])
        if head.get("journal") != JOURNAL_VERSION:
            raise ValueError(f"journal version {head.get('journal')!r}")
        resources = dict(lock.resources)
        serial, target, changed = lock.serial, lock.target, False
        for line in lines[1:]:
            entry = json.loads(line)
            for address, change in entry["changes"].items():
                replayed = _replayed(resources.get(address), change)
                if replayed is None:
                    resources.pop(address, None)
                else:
                    resources[address] = replayed
            if "target" in entry:
                target = entry["target"]
            serial = max(serial, int(entry["serial"]))
            changed = True
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LockfileError(
            f"{path.name} is not a valid lockfile journal: {exc}",
            hint=f"restore {path.name} from a backup, or move it aside to keep only what "
            "contentctl.lock records",
            location=Location(str(path)),
        ) from exc
    if not changed:
        return lock
    if serial == lock.serial and (resources != dict(lock.resources) or target != lock.target):
        serial += 1  # the file moved on (a git pull) since the journal was started
    return Lockfile(
        lineage=lock.lineage if lock.exists else str(head["lineage"]),
        serial=serial,
        resources=resources,
        target=target,
    )


def _replayed(record: ResourceRecord | None, change: Mapping[str, Any]) -> ResourceRecord | None:
    if change.get("removed"):
        return None
    steps = dict(record.steps) if record is not None and not change.get("whole") else {}
    for name, step in change["steps"].items():
        if step is None:
            steps.pop(name, None)
        else:
            steps[name] = StepRecord.from_json(step)
    return ResourceRecord(
        kind=change["kind"],
        provider=change["provider"],
        source=change.get("source", {}),
        steps=steps,
        prevent_destroy=bool(change.get("prevent_destroy", False)),
        orphans=tuple(change.get("orphans", ())),
    )


def _change(old: ResourceRecord | None, new: ResourceRecord | None) -> dict[str, Any]:
    """One resource's journal entry: what ``new`` assigns (only the steps that differ)."""
    if new is None:
        return {"removed": True}
    data = new.to_json()
    if old is not None:
        data["steps"] = {
            name: step.to_json() if step is not None else None
            for name in {*old.steps, *new.steps}
            if (step := new.steps.get(name)) is not old.steps.get(name)
            and step != old.steps.get(name)
        }
    else:
        data["whole"] = True
    return data


def compact(path: Path) -> bool:
    """Fold a journal left next to the lockfile at ``path`` into it; False: there was none.
    Call it holding the lease."""
    journal = journal_path(path)
    if not journal.exists():
        return False
    try:
        write_atomic(path, dumps(read(path).to_json()))
        os.unlink(journal)
    except OSError as exc:
        raise write_error(path, exc) from exc
    return True


def write_atomic(path: Path, text: str | Iterable[str]) -> int:
    """Replace ``path`` with ``text`` (or its pieces) so that a crash leaves either the old
    or the new file. Returns the bytes written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    size = 0
    try:
        try:
            batch: list[str] = []
            pending = 0
            for piece in [text] if isinstance(text, str) else text:
                batch.append(piece)
                pending += len(piece)
                if pending >= 1 << 20:
                    data = "".join(batch).encode("utf-8")
                    _write_all(fd, data)
                    size += len(data)
                    batch, pending = [], 0
            data = "".join(batch).encode("utf-8")
            _write_all(fd, data)
            size += len(data)
            os.fsync(fd)
        finally:
            os.close(fd)
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
    return size


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


class _Ids(Container[str]):
    def __init__(self, counts: Counter[str]) -> None:
        self._counts = counts

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self._counts.get(value, 0) > 0


class LockfileWriter:
    """Holds the current lockfile during apply and persists every change at once.

    The serial goes up only when content changes, so a no-op apply writes nothing.

    A *strict* write (the record made before a request goes out) raises when it cannot
    be written and changes nothing: the request is then not sent. Any other write keeps
    its record in memory when the disk refuses it (the remote object exists: it must
    not be forgotten), remembers the error in ``unsaved``, and is retried by every later
    write and by :meth:`flush`.

    With ``journal`` (apply), a change is a line appended to the journal and fsync'd; before
    the first one, ``contentctl.lock`` is written again as it stands (so a lockfile that
    cannot be written stops the apply before anything is sent), and :meth:`flush` compacts
    the journal into it. Without, every change rewrites the file (and drops any journal
    its records came from).
    """

    # A journal is compacted once it holds as many bytes as the lockfile (so compactions
    # cost at most what the journal itself did), and not before it holds this many.
    MIN_COMPACT_BYTES = 256 * 1024
    QUIET_SECONDS = 2.0  # with the apply this long quiet, the lockfile is brought up to date

    def __init__(
        self,
        path: Path,
        lockfile: Lockfile,
        *,
        journal: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        if not lockfile.exists:
            lockfile = replace(lockfile, lineage=str(uuid.uuid4()), serial=0)
        self._resources = dict(lockfile.resources)  # the writer's own: changed in place
        # The lockfile as it stands; its records are live (they change as changes are
        # recorded): copy them to keep a moment's state.
        self.current = replace(lockfile, resources=self._resources)
        self.unsaved: LockfileError | None = None
        # JSON of each record as last written: a write re-encodes only what changed.
        self._texts: dict[str, tuple[ResourceRecord, str]] = {}
        self._journal = journal_path(path) if journal else None
        self._clock = clock
        self._journalled = 0  # bytes in the journal since the lockfile was last written
        self._journal_lines = 0
        self._file_size = 0  # of contentctl.lock as last written
        self._last_append = clock()
        self._compacted = False  # this writer has written contentctl.lock once
        self._appended_target = self.current.target
        self._ids: dict[str, Counter[str]] | None = None  # step -> remote id -> records

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

    def remote_ids(self, step: str) -> Container[str]:
        """The remote ids that records of ``step`` hold, across every resource (kept up to
        date as records change: asking costs nothing however many resources there are)."""
        if self._ids is None:
            self._ids = {}
            for record in self._resources.values():
                self._count(record, 1)
        return _Ids(self._ids.setdefault(step, Counter()))

    def _count(self, record: ResourceRecord | None, sign: int) -> None:
        assert self._ids is not None
        for name, step in record.steps.items() if record is not None else ():
            counts = self._ids.setdefault(name, Counter())
            key = step.remote_id or ""
            counts[key] += sign
            if counts[key] <= 0:
                del counts[key]

    def text(self) -> str:
        """The lockfile as it stands in memory, as it would be written."""
        return self._dumps(self.current)

    def flush(self) -> None:
        """Write what only memory (or the journal) holds into the lockfile; raises if it
        still fails (the journal, if any, keeps its records)."""
        if self.unsaved is not None or self._journal_lines:
            self.unsaved = self._write(self.current)
            if self.unsaved is not None:
                raise self.unsaved

    def compact_if_quiet(self) -> None:
        """Bring the lockfile up to date when nothing was recorded for a moment, so that
        it shows what runs while an apply waits on long jobs."""
        if self._journal_lines and self._clock() - self._last_append >= self.QUIET_SECONDS:
            self._write(self.current)  # a failure leaves the journal, which has it all

    def _change(
        self, changes: Mapping[str, ResourceRecord | None], *, strict: bool = False
    ) -> None:
        """Persist ``changes`` (address -> record, None: gone) and the target set since."""
        current = self.current.resources
        if (
            all(current.get(a) == r for a, r in changes.items())
            and self.current.target == self._appended_target
            and self.unsaved is None
        ):
            return
        serial = self.current.serial + 1
        before = {a: current.get(a) for a in changes}
        if self._journal is not None and self.unsaved is None:
            # The journal starts from the lockfile as it stands, written again: one that
            # cannot be written stops the apply here, before anything is sent.
            failed = None if self._compacted else self._write(self.current)
            failed = failed or self._append(serial, changes)
            if failed is not None and strict:
                raise failed  # nothing changes
            # The writer's own mapping, changed in place: a step costs the same in a
            # lockfile of ten resources or ten thousand.
            resources = self._resources
        else:
            resources = dict(current)
        for address, record in changes.items():
            if record is None:
                resources.pop(address, None)
            else:
                resources[address] = record
        candidate = replace(self.current, resources=resources, serial=serial, exists=True)
        if resources is not self._resources:
            failed = self._write(candidate)
            if failed is not None and strict:
                raise failed  # nothing changes
            self._resources = resources
        if self._ids is not None:
            for address, record in changes.items():
                self._count(before[address], -1)
                self._count(record, 1)
        self.current = candidate
        self._appended_target = candidate.target
        self.unsaved = failed
        if failed is None and self._journalled >= max(self._file_size, self.MIN_COMPACT_BYTES):
            self._write(candidate)  # a failure leaves the journal, which has it all

    def _append(
        self, serial: int, changes: Mapping[str, ResourceRecord | None]
    ) -> LockfileError | None:
        assert self._journal is not None
        current = self.current
        entry: dict[str, Any] = {
            "serial": serial,
            "changes": {a: _change(current.resources.get(a), r) for a, r in changes.items()},
        }
        if current.target != self._appended_target:
            entry["target"] = None if current.target is None else dict(current.target)
        line = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        data = line.encode("utf-8") + b"\n"
        if not self._journal_lines:
            head = {"journal": JOURNAL_VERSION, "lineage": current.lineage, "serial": serial - 1}
            data = json.dumps(head).encode("utf-8") + b"\n" + data
        try:
            _append_durably(self._journal, data, create=not self._journal_lines)
        except OSError as exc:
            return write_error(self.path, exc)
        self._journalled += len(data)
        self._journal_lines += 1
        self._last_append = self._clock()
        return None

    def _write(self, lock: Lockfile) -> LockfileError | None:
        try:
            size = write_atomic(self.path, self._chunks(lock))
        except OSError as exc:
            return write_error(self.path, exc)
        self._compacted = True
        self._file_size = size
        self._journalled = 0
        self._journal_lines = 0
        # What the journal held is in the file now (replaying it again would change nothing).
        with contextlib.suppress(OSError):
            os.unlink(journal_path(self.path))
        return None

    def _dumps(self, lock: Lockfile) -> str:
        """Exactly ``dumps(lock.to_json())``, re-encoding only records that changed."""
        return "".join(self._chunks(lock))

    def _chunks(self, lock: Lockfile) -> Iterator[str]:
        """:meth:`_dumps` in pieces, to be written as they come (a large lockfile is not
        held a second time as one string, and a third as its bytes)."""
        head = {"format_version": FORMAT_VERSION, "lineage": lock.lineage}
        yield (
            f'{{\n  "format_version": {json.dumps(head["format_version"])},\n'
            f'  "lineage": {json.dumps(head["lineage"])},\n  "resources": '
        )
        separator = "{\n"
        for address in sorted(lock.resources):
            record = lock.resources[address]
            cached = self._texts.get(address)
            if cached is None or cached[0] is not record:
                text = json.dumps(
                    record.to_json(), indent=2, sort_keys=True, ensure_ascii=False
                ).replace("\n", "\n    ")
                cached = self._texts[address] = (record, text)
            yield f"{separator}    {json.dumps(address, ensure_ascii=False)}: {cached[1]}"
            separator = ",\n"
        if len(self._texts) > len(lock.resources):
            for address in set(self._texts) - set(lock.resources):
                del self._texts[address]
        target = ""
        if lock.target is not None:
            encoded = json.dumps(dict(lock.target), indent=2, sort_keys=True, ensure_ascii=False)
            target = f',\n  "target": {encoded.replace(chr(10), chr(10) + "  ")}'
        body_end = "\n  }" if lock.resources else "{}"
        yield f'{body_end},\n  "serial": {lock.serial}{target}\n}}\n'


def _append_durably(path: Path, data: bytes, *, create: bool) -> None:
    """Append ``data`` and fsync it; on failure, cut the file back to where it was."""
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_TRUNC if create else 0)
    fd = os.open(path, flags, 0o644)
    try:
        size = os.fstat(fd).st_size
        try:
            _write_all(fd, data)
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)
    if create:  # make the new file's name durable too
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]

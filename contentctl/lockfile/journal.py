"""The journal of ``contentctl.lock``: its changes during an apply, one line each.

During an apply, a change is not a rewrite of the whole file: it is one line appended (and
fsync'd) to ``.contentctl/contentctl.lock.journal``, which is never committed. Reading the
lockfile replays the journal over the file, so every reader (plan, drift, the lock commands,
the apply after a kill -9) sees every record. The journal is compacted into
``contentctl.lock`` when the apply starts writing, whenever it has grown as large as the
lockfile, when the apply has been quiet for a moment, and at the end (also on interrupt).
Replaying a journal line assigns records, so replaying one already compacted changes nothing.

Its first line is a head (the journal's version, the lineage, the serial it starts from);
each next one assigns records: ``{"serial", "changes": {address: record}, "target"}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contentctl.errors import Location, LockfileError
from contentctl.lockfile.records import Lockfile, ResourceRecord, StepRecord

JOURNAL_VERSION = 1


def journal_path(path: Path) -> Path:
    """Where the journal of the lockfile at ``path`` is kept (with the apply's lock file)."""
    return path.parent / ".contentctl" / f"{path.name}.journal"


def journal_lines(
    lock: Lockfile,
    serial: int,
    changes: Mapping[str, ResourceRecord | None],
    *,
    target: bool,
    head: bool,
) -> bytes:
    """The line that records ``changes`` (address -> record, None: gone) to ``lock`` as its
    ``serial``, with its target when ``target``, after the head when ``head``."""
    entry: dict[str, Any] = {
        "serial": serial,
        "changes": {a: _change(lock.resources.get(a), r) for a, r in changes.items()},
    }
    if target:
        entry["target"] = None if lock.target is None else dict(lock.target)
    line = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    data = line.encode("utf-8") + b"\n"
    if head:
        start = {"journal": JOURNAL_VERSION, "lineage": lock.lineage, "serial": serial - 1}
        data = json.dumps(start).encode("utf-8") + b"\n" + data
    return data


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

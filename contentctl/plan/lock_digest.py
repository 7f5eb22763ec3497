"""What a plan needs of ``contentctl.lock`` when nothing changed, kept apart so that such a
plan does not read it: its lineage and serial, the address of each record with a
fingerprint of what a plan reads of it (plan/noop_cache.py checks its verdicts against
them), and the files each record says were downloaded (``contentctl pull``'s).

A large lockfile is mostly what the APIs returned and what each step sent; a plan of
unchanged resources reads none of it. The digest is used while the lockfile and its
journal are byte for byte those it was made from; the records themselves are read, from the
whole lockfile, when something looks at one (a resource that changed), and only if the
lockfile is still those bytes. Signed (load/signed.py), made by the first plan that reads
the lockfile whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from contentctl.errors import LockfileError
from contentctl.load import signed
from contentctl.load.inputs import digest_of
from contentctl.lockfile import read as lockfile_read
from contentctl.lockfile.read import fingerprint
from contentctl.lockfile.records import Lockfile, ResourceRecord

STORE = "lockfile-digest.json"
HEAD = "lockfile"  # the row of the lockfile itself; records are by address ("kind/name")


def read(path: Path, state_dir: Path) -> Lockfile:
    """The lockfile at ``path``, its records read when first looked at (see the docstring)."""
    secret = signed.signing_key()
    if secret is None:
        return lockfile_read.read(path)
    store = state_dir / "cache" / STORE
    purpose = digest_of("lockfile", signed.code_fingerprint(), str(path))
    source = fingerprint(path)
    rows = signed.read_rows(store, secret, purpose)
    head = _head(rows)
    if source is None or rows is None or head is None or head.get("source") != source:
        whole = lockfile_read.read(path)
        if whole.source is None or whole.source != (source or fingerprint(path)):
            return whole
        rows = digest(whole)
        signed.write_rows(store, secret, purpose, rows)
        return _lockfile(rows, _Whole(path, whole.source, whole))
    return _lockfile(rows, _Whole(path, source))


class Records(Mapping[str, ResourceRecord]):
    """A lockfile's records by address, known by their fingerprints; the records themselves
    are read (the whole lockfile) when one is first looked at."""

    def __init__(self, rows: Mapping[str, str], whole: _Whole) -> None:
        self._rows = {name: row for name, row in rows.items() if name != HEAD}
        self._whole = whole

    def __getitem__(self, address: str) -> ResourceRecord:
        if address not in self._rows:
            raise KeyError(address)
        return self._whole.lock().resources[address]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, address: object) -> bool:
        return address in self._rows

    def fingerprint(self, address: str) -> str | None:
        """What tells this record from any other, of what a plan reads (None: no record)."""
        row = self._rows.get(address)
        return row[: row.index("\t")] if row is not None else None

    def downloaded(self, address: str) -> list[str] | None:
        """The files a completed download step of this record lists, when they are only
        paths (None: look at the record)."""
        row = self._rows.get(address)
        if row is None:
            return None
        text = row[row.index("\t") + 1 :]
        if text == "[]":  # most records: nothing downloaded
            return []
        found: list[str] | None = json.loads(text)
        return found


class _Whole:
    """The whole lockfile, read when first needed, and only if it is still the one the
    digest was made from."""

    def __init__(self, path: Path, source: str, lock: Lockfile | None = None) -> None:
        self.path = path
        self.source = source
        self._lock = lock

    def lock(self) -> Lockfile:
        if self._lock is None:
            lock = lockfile_read.read(self.path)
            if lock.source != self.source:
                raise LockfileError(
                    f"{self.path.name} changed while contentctl was reading it",
                    hint="run the command again",
                )
            self._lock = lock
        return self._lock


def digest(lock: Lockfile) -> dict[str, str]:
    """The digest of ``lock`` (see the module's docstring), as rows of a signed table."""
    head = {
        "source": lock.source,
        "lineage": lock.lineage,
        "serial": lock.serial,
        "exists": lock.exists,
        "target": lock.target,
    }
    rows = {HEAD: json.dumps(head)}
    for address, record in lock.resources.items():
        rows[address] = f"{_fingerprint(record)}\t{json.dumps(_downloaded(record))}"
    return rows


def _fingerprint(record: ResourceRecord) -> str:
    """A digest of what a plan reads of a record: each step's hash, status, id, error and
    inputs, and its outputs where they are its identity (no remote id). ``repr`` of plain
    JSON data tells any two apart (and is much cheaper than writing it as JSON)."""
    read = (
        record.kind,
        [
            (n, s.input_hash, s.status, s.remote_id, s.error, s.inputs, s.remote_id or s.outputs)
            for n, s in record.steps.items()
        ],
    )
    return hashlib.sha256(repr(read).encode("utf-8", "surrogatepass")).hexdigest()


def _downloaded(record: ResourceRecord) -> list[str] | None:
    download = record.steps.get("download")
    if download is None or download.status != "completed":
        return []
    files = download.outputs.get("files", [])
    if not isinstance(files, list):
        return None
    paths: list[str] = []
    for f in files:
        if isinstance(f, dict):
            path = f.get("path")
            if not isinstance(path, str):
                return None  # what the record says is read from it, errors included
            paths.append(path)
    return paths


def _head(rows: Mapping[str, str] | None) -> dict[str, Any] | None:
    try:
        found = json.loads(rows[HEAD]) if rows is not None else None
    except (KeyError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _lockfile(rows: Mapping[str, str], whole: _Whole) -> Lockfile:
    head = json.loads(rows[HEAD])
    return Lockfile(
        head["lineage"],
        head["serial"],
        Records(rows, whole),
        head["exists"],
        head["target"],
        head["source"],
    )

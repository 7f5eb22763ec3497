"""Reading ``contentctl.lock``: the file, with its journal replayed over it."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from contentctl.errors import Location, LockfileError
from contentctl.lockfile.journal import journal_path, replay
from contentctl.lockfile.records import Lockfile
from contentctl.lockfile.text import parse


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
    digest = hashlib.sha256(b"missing" if raw is None else b"file:" + raw)
    try:
        digest.update(b"\0journal:" + journal_path(path).read_bytes())
    except OSError:
        digest.update(b"\0no journal")
    return digest.hexdigest()

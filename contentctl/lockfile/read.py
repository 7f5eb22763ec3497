"""Reading ``contentctl.lock``: the file, with its journal replayed over it."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from contentctl.errors import Location, LockfileError
from contentctl.lockfile.journal import journal_path, replay
from contentctl.lockfile.records import Lockfile
from contentctl.lockfile.text import parse

CHUNK = 1 << 20  # bytes hashed at a time: a large lockfile is never held whole to be compared


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
    to a lockfile's ``source`` when nothing changed since, found without parsing it, and
    read a piece at a time rather than held whole."""
    try:
        with open(path, "rb") as handle:
            digest = hashlib.sha256(b"file:")
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        digest = hashlib.sha256(b"missing")
    except OSError:
        return None
    return _with_journal(digest, path)


def _digest(raw: bytes | None, path: Path) -> str:
    return _with_journal(hashlib.sha256(b"missing" if raw is None else b"file:" + raw), path)


def _with_journal(digest: hashlib._Hash, path: Path) -> str:
    try:
        digest.update(b"\0journal:" + journal_path(path).read_bytes())
    except OSError:
        digest.update(b"\0no journal")
    return digest.hexdigest()

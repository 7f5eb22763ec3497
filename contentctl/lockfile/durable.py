"""Writes that a crash cannot tear: a file replaced atomically, a journal appended and fsync'd,
and what a write the disk refused becomes (an error that says what to do about it)."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from contentctl.errors import Location, LockfileError


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
    _sync_directory(path)  # make the rename itself durable
    return size


def append_durably(path: Path, data: bytes, *, create: bool) -> None:
    """Append ``data`` and fsync it; on failure, cut the file back to where it was.
    ``create``: start the file afresh (and make its name durable too)."""
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
    if create:
        _sync_directory(path)


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


def _sync_directory(path: Path) -> None:
    """Make the name of ``path`` in its folder durable (best effort)."""
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

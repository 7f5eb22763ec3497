"""The SHA-256 of each media file, remembered by the file's size, times and inode.

A plan hashes every media file it uploads, to know whether its bytes changed. Files of a
content repository rarely change, and some are large (videos): a file whose size,
modification time, change time and inode are those recorded is not read again. The
record lives in ``.contentctl/cache/media-hashes.json`` (git-ignored); it is an
optimisation only: anything unreadable or missing there means hashing again. The change
time and inode are those of this checkout's file (set when git wrote it): a record made
elsewhere, say one committed by a pull request, never matches, so it cannot pass a changed
file off as unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

CHUNK = 1024 * 1024


class MediaHashes:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, list[object]] = {}
        self.changed = False
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self.known = {k: v for k, v in data.items() if isinstance(v, list)}

    def digest(self, file: Path) -> str:
        """``sha256:<hex>`` of the file's bytes; raises OSError when it cannot be read."""
        stat = os.stat(file)
        identity: list[object] = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        key = str(file.resolve())
        known = self.known.get(key)
        if known is not None and known[:4] == identity and isinstance(known[4], str):
            return known[4]
        digest = hashlib.sha256()
        with open(file, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        value = "sha256:" + digest.hexdigest()
        self.known[key] = [*identity, value]
        self.changed = True
        return value

    def save(self) -> None:
        if not self.changed:
            return
        # Written aside under a name of this process's, then renamed: two plans at once
        # never rename each other's half-written file into place.
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(self.known, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
            self.changed = False
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


_OPEN: dict[Path, MediaHashes] = {}


def for_project(root: Path) -> MediaHashes:
    """The hashes of the project at ``root`` (one instance per process)."""
    found = _OPEN.get(root)
    if found is None:
        found = _OPEN[root] = MediaHashes(root / ".contentctl" / "cache" / "media-hashes.json")
    return found


def save(root: Path) -> None:
    """Keep what this run hashed for the next one."""
    found = _OPEN.get(root)
    if found is not None:
        found.save()

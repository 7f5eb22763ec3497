"""The key that signs contentctl's caches, and the signed files they are kept in.

Caches live in ``.contentctl/cache`` of the checkout. That folder is git-ignored, but a pull
request can still commit a file there: whatever a cache says is trusted only when it is
signed with a key of this machine's user, kept outside every repository (in the user's cache
folder). A file made anywhere else, written by hand, cut short or corrupted fails its
signature and reads as no cache at all. Where no key can be kept, nothing is cached.

A signed file is one line with the HMAC-SHA256 of the rest (and of what it is for), then the
rest: JSON. It is written aside and renamed into place, so a reader sees all of it or none.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import contentctl

KEY_BYTES = 32


def key_file() -> Path:
    """Where this user's signing key lives: $CONTENTCTL_CACHE_KEY, else the user's cache
    folder ($XDG_CACHE_HOME or ~/.cache)."""
    given = os.environ.get("CONTENTCTL_CACHE_KEY")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "contentctl" / "cache.key"


def signing_key() -> bytes | None:
    """This user's key, made on first use (readable by the user only) and published whole
    (written aside, then linked into place), so two processes agree on one; None when it
    can neither be read nor made."""
    path = key_file()
    with contextlib.suppress(OSError):
        found = path.read_bytes()
        if len(found) == KEY_BYTES:
            return found
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
            with contextlib.suppress(FileExistsError):  # another process was first: theirs
                os.link(aside, path)
        finally:
            aside.unlink()
        found = path.read_bytes()
        if len(found) == KEY_BYTES:
            return found
    return None


@functools.cache
def code_fingerprint() -> str:
    """This contentctl: its version, the Python running it, and the size and time of each of
    its modules (an edited checkout is another contentctl)."""
    digest = hashlib.sha256(f"{contentctl.__version__}\0{sys.version}".encode())
    package = Path(contentctl.__file__).parent
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            stat = path.stat()
            digest.update(
                f"\0{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
            )
    return digest.hexdigest()


def _mac(key: bytes, purpose: str, payload: bytes) -> str:
    return hmac.new(key, purpose.encode() + b"\0" + payload, hashlib.sha256).hexdigest()


def read(path: Path, key: bytes, purpose: str) -> Any:
    """What a signed file holds, or None: missing, unreadable, signed with another key or for
    another purpose, cut short, corrupted."""
    payload = _payload(path, key, purpose)
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def _payload(path: Path, key: bytes, purpose: str) -> bytes | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    mac, newline, payload = raw.partition(b"\n")
    if not newline or not hmac.compare_digest(mac, _mac(key, purpose, payload).encode()):
        return None
    return payload


def read_rows(path: Path, key: bytes, purpose: str) -> dict[str, str] | None:
    """A signed table (see :func:`write_rows`): each row's text by its name, or None."""
    payload = _payload(path, key, purpose)
    if payload is None:
        return None
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return None
    rows = {}
    for line in text.split("\n") if text else ():
        name, tab, row = line.partition("\t")
        if not tab:
            return None
        rows[name] = row
    return rows


def write_rows(path: Path, key: bytes, purpose: str, rows: Mapping[str, str]) -> None:
    """Sign a table of rows (their text one line each, without tabs in their names) and put
    it at ``path`` whole: read back a row at a time, only those a run needs are parsed. A
    table that cannot be written so (a name with a tab, a line break) is not kept."""
    if any("\t" in name or "\n" in name for name in rows) or any("\n" in r for r in rows.values()):
        return
    write_json(path, key, purpose, "\n".join(f"{name}\t{row}" for name, row in rows.items()))


def write(path: Path, key: bytes, purpose: str, data: Any) -> None:
    """Sign ``data`` and put it at ``path`` whole (written aside, then renamed); a cache that
    cannot be written is no cache, never an error."""
    try:
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return
    write_json(path, key, purpose, payload)


def write_json(path: Path, key: bytes, purpose: str, payload: str) -> None:
    """:func:`write` for data already written as JSON (``payload``)."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        raw = payload.encode("utf-8", "surrogatepass")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(aside, "wb") as handle:
            handle.write(_mac(key, purpose, raw).encode() + b"\n" + raw)
        os.replace(aside, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            aside.unlink()

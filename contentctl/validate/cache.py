"""Documents already known to be schema-valid, so unchanged manifests are not checked again.

A key covers the document's content and the schemas' content (and this contentctl's
version): any change to either is a miss. Only valid results are kept, so every problem is
always found and reported. The cache lives in .contentctl/ (git-ignored); it is an
optimisation only, and a read-only checkout simply does without it.

A pull request can commit an ignored file, so the keys are signed with a key of this
machine's user (kept outside every repository, in the user's cache folder): a cache file
made anywhere else, or written by hand to declare a hostile document valid, matches nothing.
Where that key cannot be kept, nothing is cached.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from contentctl import __version__
from contentctl.model import Diagnostic, Document
from contentctl.validate.schema import check_document, schema_dir


@functools.cache
def _fingerprint() -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(schema_dir().glob("*.schema.json")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


KEY_BYTES = 32


def key_file() -> Path:
    """Where this user's signing key lives: $CONTENTCTL_CACHE_KEY, else the user's cache
    folder ($XDG_CACHE_HOME or ~/.cache)."""
    given = os.environ.get("CONTENTCTL_CACHE_KEY")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "contentctl" / "cache.key"


def _signing_key() -> bytes | None:
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


class ValidCache:
    def __init__(self, path: Path | None) -> None:
        self.secret = _signing_key() if path is not None else None
        self.path = path if self.secret is not None else None
        self.known: set[str] = set()
        self.seen: set[str] = set()
        if self.path is not None:
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("fingerprint") == _fingerprint():
                    self.known = set(data.get("valid", []))

    def key(self, schema: str, data: Any) -> str:
        text = json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        )
        signed = hmac.new(self.secret or b"", f"{schema}\0{text}".encode(), hashlib.sha256)
        return signed.hexdigest()[:32]

    def valid(self, key: str) -> bool:
        self.seen.add(key)
        return key in self.known

    def remember(self, key: str) -> None:
        self.seen.add(key)
        self.known.add(key)

    def save(self) -> None:
        """Keep what this run saw and found valid; forget the rest."""
        if self.path is None:
            return
        keep = sorted(self.known & self.seen)
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(
                json.dumps({"fingerprint": _fingerprint(), "valid": keep}), encoding="utf-8"
            )
            tmp.replace(self.path)


def checked(document: Document, schema: str, cache: ValidCache) -> list[Diagnostic]:
    """The document's schema problems, skipping the check for a document known valid."""
    key = cache.key(schema, document.data)
    if cache.valid(key):
        return []
    problems = check_document(document, schema)
    if not problems:
        cache.remember(key)
    return problems

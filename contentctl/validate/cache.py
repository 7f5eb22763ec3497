"""Documents already known to be schema-valid, so unchanged manifests are not checked again.

A key covers the document's content and the schemas' content (and this contentctl's
version): any change to either is a miss. Only valid results are kept, so every problem is
always found and reported. The cache lives in .contentctl/ (git-ignored); it is an
optimisation only, and a read-only checkout simply does without it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
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


class ValidCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: set[str] = set()
        self.seen: set[str] = set()
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("fingerprint") == _fingerprint():
                    self.known = set(data.get("valid", []))

    @staticmethod
    def key(schema: str, data: Any) -> str:
        text = json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        )
        return hashlib.sha256(f"{schema}\0{text}".encode()).hexdigest()[:32]

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

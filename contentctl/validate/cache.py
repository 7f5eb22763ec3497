"""Documents already known to be schema-valid, so unchanged manifests are not checked again.

A key covers the document's content and the schemas' content (and this contentctl's
version): any change to either is a miss. Only valid results are kept, so every problem is
always found and reported. The cache lives in .contentctl/ (git-ignored); it is an
optimisation only, and a read-only checkout simply does without it.

A pull request can commit an ignored file, so the keys, and the file, are signed with a key
of this machine's user (kept outside every repository, in the user's cache folder; see
load/signed.py): a cache file made anywhere else, or written by hand to declare a hostile
document valid, matches nothing. Where that key cannot be kept, nothing is cached.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from contentctl import __version__
from contentctl.load import signed
from contentctl.load.signed import signing_key
from contentctl.model import Diagnostic, Document
from contentctl.validate.schema import check_document
from contentctl.validate.schema_files import schema_dir


@functools.cache
def _fingerprint() -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(schema_dir().glob("*.schema.json")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


class ValidCache:
    def __init__(self, path: Path | None) -> None:
        self.secret = signing_key() if path is not None else None
        self.path = path if self.secret is not None else None
        self.known: set[str] = set()
        self.seen: set[str] = set()
        if self.path is not None and self.secret is not None:
            data = signed.read(self.path, self.secret, f"valid\0{_fingerprint()}")
            if isinstance(data, list):
                self.known = {k for k in data if isinstance(k, str)}
        self.loaded = frozenset(self.known)

    def key(self, schema: str, data: Any) -> str:
        text = json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        )
        return self._sign(f"{schema}\0{text}")

    def key_of(self, schema: str, document: Document) -> str:
        """The key of ``document``: from what it was made of when that is known (its
        ``key``, see load/documents.py), which is cheaper than its content."""
        if document.key is None:
            return self.key(schema, document.data)
        return self._sign(f"{schema}\0made of\0{document.key}")

    def _sign(self, text: str) -> str:
        return hmac.digest(self.secret or b"", text.encode(), "sha256").hex()[:32]

    def valid(self, key: str) -> bool:
        self.seen.add(key)
        return key in self.known

    def remember(self, key: str) -> None:
        self.seen.add(key)
        self.known.add(key)

    def save(self) -> None:
        """Keep what this run saw and found valid; forget the rest."""
        if self.path is None or self.secret is None:
            return
        keep = self.known & self.seen
        if keep == self.loaded:
            return
        signed.write(self.path, self.secret, f"valid\0{_fingerprint()}", sorted(keep))


def checked(document: Document, schema: str, cache: ValidCache) -> list[Diagnostic]:
    """The document's schema problems, skipping the check for a document known valid."""
    key = cache.key_of(schema, document)
    if cache.valid(key):
        return []
    problems = check_document(document, schema)
    if not problems:
        cache.remember(key)
    return problems

"""The reference graph and each resource's own checks, remembered by what they read.

Documents that carry a ``key`` (load/documents.py: a digest of everything they were made
from) are compared by it. The graph of the same resources (the same keys, in the same
order, with the same ones schema-valid) is the same graph, with the same problems. A
resource's checks (Kind.check) read the resource, the resources it references, and the
local files it sends (Kind.files): they come out the same while its key, the keys of those
it references, and those files' size, times, inode and where they resolve are the same.
Anything without a key is checked as always. Signed (load/signed.py), written when it
changed; schemas and contentctl are part of the signature.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from contentctl.errors import Location
from contentctl.graph import Graph, build_graph
from contentctl.kinds import KINDS, check
from contentctl.load import signed
from contentctl.load.inputs import digest_of
from contentctl.model import Diagnostic, Resource
from contentctl.validate.cache import _fingerprint

STORE = "checks.json"


def encode(diagnostic: Diagnostic) -> list[Any]:
    where = diagnostic.location
    return [
        where.file,
        where.line,
        where.col,
        where.origin,
        diagnostic.message,
        diagnostic.severity,
        list(diagnostic.json_path),
        diagnostic.hint,
    ]


def decode(found: list[Any]) -> Diagnostic:
    file, line, col, origin, message, severity, path, hint = found
    return Diagnostic(Location(file, line, col, origin), message, severity, tuple(path), hint)


def files_read(root: Path, resource: Resource) -> list[Any] | None:
    """The local files ``resource`` sends, as they are now (None: one cannot be told)."""
    out: list[Any] = []
    for path in KINDS[resource.kind].files(resource, root):
        try:
            found = os.stat(path)
            where = str(path.resolve())
        except (OSError, RuntimeError):
            out.append([str(path)])
            continue
        times = [found.st_mtime_ns, found.st_ctime_ns]
        out.append([str(path), where, found.st_mode, found.st_size, *times, found.st_ino])
    return out


class CheckCache:
    def __init__(self, root: Path, state_dir: Path) -> None:
        self.root = root
        self.secret = signed.signing_key()
        self.path = state_dir / "cache" / STORE
        self.purpose = digest_of("checks", signed.code_fingerprint(), _fingerprint(), str(root))
        found = signed.read(self.path, self.secret, self.purpose) if self.secret else None
        self.known: dict[str, Any] = found if isinstance(found, dict) else {}
        self.kept: dict[str, Any] = {}
        self.changed = False

    def graph(
        self, resources: Iterable[Resource], checked: set[str]
    ) -> tuple[Graph, list[Diagnostic]]:
        """:func:`contentctl.graph.build_graph`, remembered."""
        resources = list(resources)
        keys = [(r.address, r.document.key) for r in resources]
        if self.secret is None or any(key is None for _, key in keys):
            return build_graph(resources, checked=checked)
        name = "graph:" + digest_of(keys, sorted(checked))
        found = self._found(name)
        if isinstance(found, list) and len(found) == 2:
            by_address = {r.address: r for r in resources}
            return Graph(by_address, tuple(found[0])), [decode(d) for d in found[1]]
        graph, problems = build_graph(resources, checked=checked)
        self.kept[name] = [list(graph.order), [encode(d) for d in problems]]
        self.changed = True
        return graph, problems

    def check(self, resource: Resource, others: Mapping[str, Resource]) -> list[Diagnostic]:
        """The kind's checks of ``resource`` (Kind.check), remembered."""
        context = self._context(resource, others)
        if context is None:
            return list(check(self.root, resource, others))
        name = f"check:{resource.document.key}"
        found = self._found(name)
        if isinstance(found, list) and len(found) == 2 and found[0] == context:
            return [decode(d) for d in found[1]]
        self.kept.pop(name, None)
        problems = list(check(self.root, resource, others))
        self.kept[name] = [context, [encode(d) for d in problems]]
        self.changed = True
        return problems

    def _context(self, resource: Resource, others: Mapping[str, Resource]) -> list[Any] | None:
        if self.secret is None or resource.document.key is None:
            return None
        references = []
        for address in dict.fromkeys(r.address for r in resource.references):
            target = others.get(address)
            if target is not None and target.document.key is None:
                return None
            references.append([address, target.document.key if target else None])
        files = files_read(self.root, resource)
        return [references, files]

    def _found(self, name: str) -> Any:
        found = self.kept.get(name) or self.known.get(name)
        if found is not None:
            self.kept[name] = found
        return found

    def save(self) -> None:
        if self.secret is None or (not self.changed and self.kept.keys() == self.known.keys()):
            return
        signed.write(self.path, self.secret, self.purpose, self.kept)

"""Immutable records that flow through the pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from contentctl.errors import Location

JsonPath = tuple[str | int, ...]
Severity = Literal["error", "warning"]

API_VERSION = "contentctl/v1"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the user's files."""

    location: Location
    message: str
    severity: Severity = "error"
    json_path: JsonPath = ()
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.file, self.location.line or 0, self.location.col or 0, self.message)


@dataclass(frozen=True)
class Positions:
    """Where each value (and each mapping key) of a document stands in its file."""

    file: str
    values: Mapping[JsonPath, tuple[int, int]] = field(default_factory=dict)
    keys: Mapping[JsonPath, tuple[int, int]] = field(default_factory=dict)
    origin: str | None = None

    def of(self, path: JsonPath, *, key: bool = False) -> Location:
        """The closest known location of ``path``; falls back to its parents."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while True:
            if probe in table:
                line, col = table[probe]
                return Location(self.file, line, col, self.origin)
            if key and probe in self.values:
                line, col = self.values[probe]
                return Location(self.file, line, col, self.origin)
            if not probe:
                return Location(self.file, 1, 1, self.origin)
            probe = probe[:-1]


@dataclass(frozen=True)
class Document:
    """One YAML document of a manifest file, after rendering and parsing."""

    file: str  # relative to the project root, with forward slashes
    index: int  # position of the document in its file
    data: Any
    positions: Positions
    sources: tuple[str, ...] = ()  # every file it was made from (templates included)
    templated: bool = False  # rendered with variables: a variable change may change it
    # Values the parser refused (a language tag, .nan): their checks would only repeat it.
    refused: tuple[JsonPath, ...] = ()
    # A digest of everything it was made from (its file's bytes, the variables and templates
    # its render used, this contentctl), when they are known: what caches of the stages
    # after loading key on (load/documents.py). None: not cached.
    key: str | None = field(default=None, compare=False)

    @property
    def kind(self) -> str | None:
        kind = self.data.get("kind") if isinstance(self.data, dict) else None
        return kind if isinstance(kind, str) else None

    @property
    def name(self) -> str | None:
        meta = self.data.get("metadata") if isinstance(self.data, dict) else None
        name = meta.get("name") if isinstance(meta, dict) else None
        return name if isinstance(name, str) else None


@dataclass(frozen=True)
class Reference:
    """An address written in a reference field, with where it was written."""

    address: str
    path: JsonPath


@dataclass(frozen=True)
class Resource:
    """A validated manifest: something contentctl creates and tracks."""

    kind: str
    name: str
    spec: Mapping[str, Any]
    document: Document
    labels: Mapping[str, str] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()

    @property
    def address(self) -> str:
        return address_of(self.kind, self.name)

    @property
    def source_file(self) -> str:
        return self.document.file


def address_of(kind: str, name: str) -> str:
    return f"{kind.lower()}/{name}"

"""Positions made again when asked for: a document found in the store of documents
(load/documents.py) says where its values are written only if a diagnostic asks, and then
its file (or its campaign instance) is rendered and parsed again for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from contentctl.config import Project
from contentctl.load.campaign import instance_documents
from contentctl.load.parse import parse_documents
from contentctl.load.render import ProjectEnvironment, make_environment, render_template
from contentctl.model import Document, JsonPath, Positions

Table = Mapping[JsonPath, tuple[int, int]]


class _Made:
    """The positions of one document, made on first use (none when that fails)."""

    def __init__(self, make: Callable[[], Positions | None]) -> None:
        self._make = make
        self._made: Positions | None = None

    def table(self, keys: bool) -> Table:
        if self._made is None:
            self._made = self._make() or Positions("")
        return self._made.keys if keys else self._made.values


class _Later(Mapping[JsonPath, tuple[int, int]]):
    def __init__(self, made: _Made, keys: bool) -> None:
        self._made = made
        self._keys = keys

    def __getitem__(self, path: JsonPath) -> tuple[int, int]:
        return self._made.table(self._keys)[path]

    def __iter__(self) -> Iterator[JsonPath]:
        return iter(self._made.table(self._keys))

    def __len__(self) -> int:
        return len(self._made.table(self._keys))

    def __contains__(self, path: object) -> bool:
        return path in self._made.table(self._keys)


def later(file: str, origin: str | None, make: Callable[[], Positions | None]) -> Positions:
    """Positions of a document of ``file``, made by ``make`` when first looked at."""
    made = _Made(make)
    return Positions(file, _Later(made, keys=False), _Later(made, keys=True), origin)


class Rebuild:
    """How to make a document of this project again, for its positions."""

    def __init__(self, project: Project, variables: Mapping[str, Any]) -> None:
        self.project = project
        self.variables = variables
        self._env: ProjectEnvironment | None = None

    @property
    def env(self) -> ProjectEnvironment:
        if self._env is None:
            self._env = make_environment(self.project.root, self.project.template_dirs)
        return self._env

    def file(self, file: str, text: str, templated: bool, index: int) -> Positions | None:
        """The positions of document ``index`` of ``file``, whose text is ``text``."""
        if templated:
            variables = {"vars": self.variables, **self.variables}
            rendered, _problems = render_template(self.env, text, file, variables)
            if rendered is None:
                return None
            text = rendered
        documents, _problems = parse_documents(text, file)
        return next((d.positions for d in documents if d.index == index), None)

    def instance(self, campaign: Document, instance: str, position: int) -> Positions | None:
        """The positions of the ``position``-th document of a campaign's instance."""
        documents = instance_documents(
            self.project.root, self.env, campaign, self.variables, instance
        )
        return documents[position].positions if position < len(documents) else None

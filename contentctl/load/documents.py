"""Documents already made from unchanged inputs: a manifest file, or a Campaign, whose text,
variables and templates are as they were is not rendered or parsed again.

An entry is kept for each manifest file (its documents as parsed) and for each Campaign
document (the documents of all its instances), and used again while everything it was made
from reads the same (load/inputs.py): the file's text; for a rendered file or a campaign the
variables and every template its renders asked for, looked up again by name; for a campaign
its template folder; and this contentctl, Jinja and PyYAML (the file's signature). Only what
loaded without a problem and is plain JSON data is kept, and nothing a template that names
``random`` or ``lipsum`` made. Each document made or found here gets a ``key`` (a digest of
its inputs) that the caches of later stages key on.

Positions are not kept: where a document's values are written is made again from its file,
and only if a diagnostic asks (load/positions.py). The store is signed (load/signed.py) and
written only when it changed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
import yaml

from contentctl.config import Project
from contentctl.load import signed
from contentctl.load.inputs import Inputs, digest_of, repeatable, text_digest
from contentctl.load.positions import Rebuild, later
from contentctl.load.render import ProjectEnvironment
from contentctl.model import Document, Positions

STORE = "documents.json"


class DocumentStore:
    """The documents of one project's files and campaigns, as a run finds and makes them."""

    def __init__(self, project: Project, variables: Mapping[str, Any]) -> None:
        self.inputs = Inputs(project, variables)
        self.rebuild = Rebuild(project, variables)
        self.secret = signed.signing_key()
        self.path = project.state_dir / "cache" / STORE
        self.purpose = digest_of(
            "documents",
            signed.code_fingerprint(),
            jinja2.__version__,
            yaml.__version__,
            str(project.root),
            [str(p) for p in project.template_dirs],
        )
        found = signed.read(self.path, self.secret, self.purpose) if self.secret else None
        self.entries: dict[str, Any] = found if isinstance(found, dict) else {}
        self.kept: dict[str, Any] = {}  # what this run used or made
        self.changed = False

    def file(self, file: str, text: str, templated: bool) -> list[Document] | None:
        """The documents of ``file`` made earlier from this text, or None."""
        entry = self._unchanged(f"file:{file}", text_digest(text))
        if entry is None:
            return None
        return self._documents(
            entry, lambda found: self.rebuild.file(file, text, templated, found[1])
        )

    def campaign(self, campaign: Document) -> list[Document] | None:
        """The documents of ``campaign``'s instances made earlier, or None."""
        if campaign.key is None:
            return None
        entry = self._unchanged(f"campaign:{campaign.key}", None)
        if entry is None:
            return None
        return self._documents(
            entry, lambda found: self.rebuild.instance(campaign, found[7], found[8])
        )

    def keep_file(
        self, file: str, text: str, documents: list[Document], env: ProjectEnvironment | None
    ) -> list[Document]:
        """``documents`` of ``file`` (which loaded without a problem), with keys when kept."""
        deps: dict[str, Any] = {}
        if env is not None:  # rendered: by the variables and templates it used as well
            names = self.inputs.names(env)
            if names is None or not repeatable([text]):
                return documents
            deps = {"vars": self.inputs.vars_digest, "names": names}
        return self._keep(f"file:{file}", text_digest(text), deps, documents, ())

    def folder(self, campaign: Document) -> list[Any] | None:
        """The campaign's template folder as it reads now (see load/inputs.py): taken before
        it is expanded, and compared with after, so that what it was made from is known."""
        return self.inputs.folder(campaign.data["spec"]["template"])

    def keep_campaign(
        self,
        campaign: Document,
        documents: list[Document],
        instances: list[tuple[str, int]],
        env: ProjectEnvironment,
        before: list[Any] | None,
    ) -> list[Document]:
        """``documents`` of ``campaign`` (expanded without a problem), with keys when kept;
        ``instances``: each one's instance and place among that instance's documents;
        ``before``: its template folder before it was expanded."""
        template = campaign.data["spec"]["template"]
        names = self.inputs.names(env)
        folder = self.inputs.folder(template)
        if campaign.key is None or names is None or folder is None or folder != before:
            return documents
        deps = {"vars": self.inputs.vars_digest, "names": names, "folder": [template, folder]}
        return self._keep(f"campaign:{campaign.key}", None, deps, documents, instances)

    def save(self) -> None:
        """Keep what this run used and made, when that is not what was kept."""
        if self.secret is None or (not self.changed and self.kept.keys() == self.entries.keys()):
            return
        try:
            payload = json.dumps(self.kept, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):  # plain JSON data only: bytes (!!binary) are not kept
            payload = json.dumps({k: v for k, v in self.kept.items() if _plain(v)})
        signed.write_json(self.path, self.secret, self.purpose, payload)

    def _unchanged(self, name: str, text: str | None) -> dict[str, Any] | None:
        entry = self.entries.get(name)
        if (
            not isinstance(entry, dict)
            or entry.get("text") != text
            or not self.inputs.unchanged(entry["deps"])
        ):
            return None
        self.kept[name] = entry
        return entry

    def _documents(
        self, entry: Mapping[str, Any], rebuild: Callable[[list[Any]], Positions | None]
    ) -> list[Document]:
        """The documents ``entry`` keeps; ``rebuild`` makes one's positions from its record."""
        key = entry["key"]
        out = []
        for i, found in enumerate(entry["docs"]):
            file, index, data, sources, templated, refused, origin = found[:7]
            positions = later(file, origin, functools.partial(rebuild, found))
            out.append(
                Document(
                    file,
                    index,
                    data,
                    positions,
                    tuple(sources),
                    templated,
                    tuple(tuple(path) for path in refused),
                    key=f"{key}:{i}",
                )
            )
        return out

    def _keep(
        self,
        name: str,
        text: str | None,
        deps: Mapping[str, Any],
        documents: list[Document],
        instances: list[tuple[str, int]] | tuple[()],
    ) -> list[Document]:
        key = digest_of(self.purpose, name, text, deps)
        records = [
            [
                d.file,
                d.index,
                d.data,
                list(d.sources),
                d.templated,
                [list(p) for p in d.refused],
                d.positions.origin,
                *(instances[i] if instances else (None, None)),
            ]
            for i, d in enumerate(documents)
        ]
        self.kept[name] = {"text": text, "deps": deps, "key": key, "docs": records}
        self.changed = True
        return [
            Document(
                d.file,
                d.index,
                d.data,
                d.positions,
                d.sources,
                d.templated,
                d.refused,
                f"{key}:{i}",
            )
            for i, d in enumerate(documents)
        ]


def _plain(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True

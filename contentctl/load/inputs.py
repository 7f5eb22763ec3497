"""What a render read besides its own text: the variables, each template it asked for by
name, and a campaign's template folder. Recorded when documents are made, and looked at
again (by the same rules as the render: the same loader, the same search path) to tell
whether documents made earlier would come out the same (load/documents.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2

from contentctl.config import Project
from contentctl.load.campaign import template_files
from contentctl.load.render import ProjectEnvironment, ProjectLoader

# Jinja's `random` filter and `lipsum` global make another text at every render: documents
# from a template that names either are never kept.
UNREPEATABLE = ("random", "lipsum")


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def repeatable(texts: Iterable[str]) -> bool:
    """Whether templates of these texts render the same text every time."""
    return not any(word in text for text in texts for word in UNREPEATABLE)


class Inputs:
    """The inputs of renders in one project, as they are now; each read once per run."""

    def __init__(self, project: Project, variables: Mapping[str, Any]) -> None:
        self.project = project
        self.variables = variables
        self._loader: ProjectLoader | None = None
        self._templates: dict[str, tuple[str | None, str | None, str | None]] = {}
        self._vars: str | None = None

    @property
    def vars_digest(self) -> str:
        """The variables, with their types and order (repr tells 1 from "1" and True)."""
        if self._vars is None:
            self._vars = hashlib.sha256(repr(self.variables).encode()).hexdigest()
        return self._vars

    def template(self, name: str) -> tuple[str | None, str | None, str | None]:
        """The file a render asking for ``name`` loads now, its text's digest, and its text
        (None for each when it is not found or not readable)."""
        found = self._templates.get(name)
        if found is None:
            if self._loader is None:
                self._loader = ProjectLoader(self.project.root, self.project.template_dirs)
            try:
                path = self._loader.locate(name)
                text = path.read_text(encoding="utf-8")
                found = (str(path), text_digest(text), text)
            except (jinja2.TemplateNotFound, OSError, UnicodeDecodeError, RuntimeError):
                found = (None, None, None)
            self._templates[name] = found
        return found

    def names(self, env: ProjectEnvironment) -> dict[str, list[str | None]] | None:
        """Each name ``env``'s renders asked for, with the file it led to and the digest of
        the text they were given (what they were made from, even if the file changed since);
        None when one names a template whose renders are not repeatable."""
        loader = env.loader
        assert isinstance(loader, ProjectLoader)
        out: dict[str, list[str | None]] = {}
        for name in sorted(env.requested):
            text = loader.read.get(name)
            if text is None:  # not found: it must still not be found
                out[name] = [None, None]
                continue
            if not repeatable([text]):
                return None
            out[name] = [str(loader.locate(name)), text_digest(text)]
        return out

    def folder(self, template: str) -> list[Any] | None:
        """A campaign's template folder: where it resolves, and its manifests' names and
        digests; None when it is not a folder the campaign may use or cannot be read."""
        root = self.project.root
        folder = (root / "templates" / template).resolve()
        if not folder.is_relative_to((root / "templates").resolve()) or not folder.is_dir():
            return None
        files = []
        for path in template_files(root, template):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
            if not repeatable([text]):
                return None
            files.append([path.relative_to(root).as_posix(), text_digest(text)])
        return [str(folder), files]

    def unchanged(self, deps: Mapping[str, Any]) -> bool:
        """Whether what ``deps`` recorded reads the same now."""
        if "vars" in deps and deps["vars"] != self.vars_digest:
            return False
        for name, (path, digest) in deps.get("names", {}).items():
            now = self.template(name)
            if [now[0], now[1]] != [path, digest]:
                return False
        if "folder" in deps:
            template, recorded = deps["folder"]
            if self.folder(template) != recorded:
                return False
        return True


def digest_of(*parts: Any) -> str:
    """One digest of JSON-able parts."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

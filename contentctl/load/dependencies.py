"""Which files outside a project its render loads: the shared library templates its manifests
(and its campaigns' templates) include, import or extend, directly or through each other.

Read from the templates themselves, as Jinja will load them: each template the render uses
is parsed (not rendered) and its ``include``/``import``/``extends`` names are resolved by the
project's own loader (its templates/ first, then each library in order), recursively. Where a
name is computed (``{% include brand ~ '.j2' %}``), where a manifest or campaign file must
be rendered to be read, or where anything fails to parse, the whole project is rendered
instead and the templates the render loaded are taken. A conditional include counts whether
or not a render takes it: a project is never missed, at worst reached by a branch it skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import jinja2
from jinja2 import meta

from contentctl.config import Project
from contentctl.load.render import ProjectEnvironment, ProjectLoader, make_environment
from contentctl.model import Diagnostic

# Parsed templates' referenced names, by file and modification time: a library shared by
# many projects is parsed once per process. None: a computed name.
_REFERENCES: dict[tuple[str, float], tuple[str | None, ...]] = {}


class _Unknown(Exception):
    """Only a render can tell what this project loads."""


def loaded_outside(project: Project) -> tuple[frozenset[str], tuple[Diagnostic, ...]]:
    """Absolute posix paths of the files outside ``project`` its render loads, and the
    errors met on the way (then the set may be incomplete)."""
    try:
        return _from_templates(project), ()
    except _Unknown:
        return _from_render(project)


def _from_templates(project: Project) -> frozenset[str]:
    from contentctl.load.campaign import template_files
    from contentctl.load.discover import manifest_files

    env = make_environment(project.root, project.template_dirs)
    loader = env.loader
    assert isinstance(loader, ProjectLoader)
    used: list[Path] = []
    for path in manifest_files(project):
        templated = path.name.endswith(".j2")
        text = _read(path)
        if templated:
            used.append(path)
        if "Campaign" in text:  # a kind: Campaign document names its template folder
            if templated:
                raise _Unknown  # its template folder is known only once rendered
            for template in _campaign_templates(text, path.name):
                used.extend(template_files(project.root, template))
    loaded: set[Path] = set()
    _follow(env, loader, used, loaded)
    root = project.root.resolve()
    return frozenset(p.as_posix() for p in loaded if not p.is_relative_to(root))


def _campaign_templates(text: str, file: str) -> list[str]:
    from contentctl.load.parse import parse_documents

    documents, problems = parse_documents(text, file)
    if problems:
        raise _Unknown
    found = []
    for document in documents:
        spec = document.data.get("spec") if isinstance(document.data, dict) else None
        if document.kind == "Campaign":
            if not isinstance(spec, dict) or not isinstance(spec.get("template"), str):
                raise _Unknown
            found.append(spec["template"])
    return found


def _follow(
    env: ProjectEnvironment, loader: ProjectLoader, files: Iterable[Path], loaded: set[Path]
) -> None:
    """Add to ``loaded`` every template ``files`` reach, through each other too."""
    pending = list(files)
    seen: set[Path] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _references(env, path):
            if name is None:
                raise _Unknown
            try:
                found = loader.locate(name)
            except jinja2.TemplateNotFound:
                raise _Unknown from None  # the render reports it; what it loads is unknown
            loaded.add(found)
            pending.append(found)


def _references(env: ProjectEnvironment, path: Path) -> tuple[str | None, ...]:
    key = (path.as_posix(), path.stat().st_mtime)
    if key not in _REFERENCES:
        try:
            tree = env.parse(_read(path))
        except jinja2.TemplateSyntaxError:
            raise _Unknown from None
        _REFERENCES[key] = tuple(meta.find_referenced_templates(tree))
    return _REFERENCES[key]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise _Unknown from None


def _from_render(project: Project) -> tuple[frozenset[str], tuple[Diagnostic, ...]]:
    from contentctl.load.discover import load_documents
    from contentctl.load.variables import resolve
    from contentctl.validate.cache import ValidCache
    from contentctl.validate.manifests import expand_campaigns

    variables, problems = resolve(project)
    documents, failed = load_documents(project, variables)
    problems += failed
    cache = ValidCache(project.state_dir / "cache" / "valid-manifests.json")
    documents, failed = expand_campaigns(project, documents, variables, cache)
    problems += failed
    root = project.root.resolve()
    outside = {
        Path(os.path.normpath(root / source)).as_posix()
        for document in documents
        for source in document.sources
        if source.startswith("../")
    }
    errors = tuple(d for d in problems if d.severity == "error")
    return frozenset(outside), errors

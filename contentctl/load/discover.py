"""Find manifest files, render the Jinja ones and parse them into documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from contentctl.config import Project
from contentctl.errors import Location
from contentctl.load.documents import DocumentStore
from contentctl.load.parse import parse_documents
from contentctl.load.render import loaded_templates, make_environment, render_template
from contentctl.model import Diagnostic, Document

MANIFEST_SUFFIXES = (".yaml", ".yml", ".yaml.j2", ".yml.j2")


def manifest_files(project: Project) -> list[Path]:
    """Manifest files under the project's content folders, in a stable order."""
    found: set[Path] = set()
    for folder in project.content_dirs:
        base = project.root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if path.is_file() and path.name.endswith(MANIFEST_SUFFIXES):
                found.add(path)
    return sorted(found)


def missing_folders(project: Project) -> list[Diagnostic]:
    """A content folder contentctl.yaml names that is not there: an error, never an empty
    project (whose plan would forget every resource the lockfile holds)."""
    from contentctl.config import CONFIG_FILE

    missing = [f for f in project.content_dirs if not (project.root / f).is_dir()]
    if not missing:
        return []
    try:
        lines = (project.root / CONFIG_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    found = []
    for folder in missing:
        line = next((i for i, text in enumerate(lines, 1) if folder in text), None)
        col = lines[line - 1].index(folder) + 1 if line else None
        found.append(
            Diagnostic(
                Location(CONFIG_FILE, line, col),
                f"content folder {folder!r} does not exist in {project.root}",
                hint="fix spec.content in contentctl.yaml, or create the folder",
            )
        )
    return found


def relative(project: Project, path: Path) -> str:
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return path.as_posix()


def load_documents(
    project: Project, variables: Mapping[str, Any], store: DocumentStore | None = None
) -> tuple[list[Document], list[Diagnostic]]:
    """Every document of every manifest; problems are collected, never raised. With a
    ``store``, a file whose inputs are unchanged is not rendered or parsed again."""
    documents: list[Document] = []
    diagnostics: list[Diagnostic] = list(missing_folders(project))
    env = None
    for path in manifest_files(project):
        file = relative(project, path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            diagnostics.append(Diagnostic(Location(file), f"cannot read file: {exc}"))
            continue
        templated = path.name.endswith(".j2")
        found = store.file(file, text, templated) if store is not None else None
        if found is not None:
            documents.extend(found)
            continue
        sources: tuple[str, ...] = (file,)
        source = text
        if templated:
            env = env or make_environment(project.root, project.template_dirs)
            env.requested.clear()
            rendered, problems = render_template(env, text, file, {"vars": variables, **variables})
            diagnostics.extend(problems)
            if rendered is None:
                continue
            text = rendered
            sources += tuple(sorted(loaded_templates(env)))
        docs, problems = parse_documents(text, file)
        docs = [replace(d, sources=sources, templated=templated) for d in docs]
        if store is not None and not problems:
            docs = store.keep_file(file, source, docs, env if templated else None)
        documents.extend(docs)
        diagnostics.extend(problems)
    return documents, diagnostics

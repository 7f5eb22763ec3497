"""Many projects in one repository: every ``contentctl.yaml`` under its top folder, and which
of them a change reaches.

A project is reached by a change to one of its own files, or to a file outside it that its
render loads: a template of a shared library (``spec.templates``) it includes, imports or
extends, directly or through another template. Which library files those are is known from
the templates its render uses (contentctl.load.dependencies), never guessed from the folders
it declares: a project that declares a library but never includes the changed macro is not
reached.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from contentctl.config import CONFIG_FILE, STATE_DIR, Project, load_project
from contentctl.errors import DiagnosticsError, UsageError

# Never a project's own content: what contentctl and editors keep beside it.
SKIPPED_FOLDERS = frozenset({".git", STATE_DIR, "node_modules", "__pycache__"})
LISTED = ("--", f"*{CONFIG_FILE}")
UNSAFE_IN_ID = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class RepositoryProject:
    """One project of the repository."""

    path: str  # its folder, relative to the repository's top ("." for the top itself)
    name: str  # metadata.name in its contentctl.yaml
    id: str  # unique: its path, made safe for artifact, concurrency and environment names
    project: Project

    def to_json(self) -> dict[str, str]:
        return {"project": self.path, "name": self.name, "id": self.id}


@dataclass(frozen=True)
class Reached:
    """A project a change reaches, and why (the first few files that reach it)."""

    project: RepositoryProject
    because: tuple[str, ...]  # repository-relative files

    def to_json(self) -> dict[str, object]:
        return {**self.project.to_json(), "because": list(self.because)}


def project_id(path: str) -> str:
    """``brands/north`` -> ``brands-north``; the top folder is ``root``."""
    if path in ("", "."):
        return "root"
    return UNSAFE_IN_ID.sub("-", path.replace("/", "-")).strip("-") or "root"


def config_files(top: Path) -> list[Path]:
    """Every contentctl.yaml under ``top``: in a git checkout, what git tracks or would track
    (ignored files left out); else every one outside hidden folders."""
    listed = _git_config_files(top)
    if listed is not None:
        return listed
    found: list[Path] = []
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith("."))
        if CONFIG_FILE in files:
            found.append(Path(folder) / CONFIG_FILE)
    return sorted(found)


def _git_config_files(top: Path) -> list[Path] | None:
    from contentctl import repository

    if repository.top(top) is None:
        return None
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", *LISTED],
            cwd=top,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.CalledProcessError):
        return None
    names = {n for n in listed.split("\0") if n and n.rsplit("/", 1)[-1] == CONFIG_FILE}
    paths = (top / n for n in sorted(names))
    return [p for p in paths if p.is_file() and not _hidden(Path(os.path.dirname(p)), top)]


def _hidden(folder: Path, top: Path) -> bool:
    parts = folder.relative_to(top).parts
    return any(p in SKIPPED_FOLDERS or p.startswith(".") for p in parts)


def discover(top: Path, environ: Mapping[str, str] | None = None) -> list[RepositoryProject]:
    """Every project under ``top``, by path. A contentctl.yaml that is not valid is an error
    (with its file and line): a project that cannot be read cannot be planned either."""
    out: list[RepositoryProject] = []
    for config in config_files(top):
        folder = config.parent
        path = folder.relative_to(top).as_posix()
        try:
            project = load_project(folder, environ)
        except DiagnosticsError as exc:
            raise in_folder(exc, path) from None
        out.append(RepositoryProject(path, project.name, project_id(path), project))
    ids: dict[str, str] = {}
    for found in out:
        if found.id in ids:
            raise UsageError(
                f"projects {ids[found.id]} and {found.path} would share the id {found.id!r}",
                hint="rename one of the folders: ids name artifacts, concurrency groups and "
                "GitHub Environments",
            )
        ids[found.id] = found.path
    return out


def in_folder(error: DiagnosticsError, path: str) -> DiagnosticsError:
    """The project's diagnostics, their files named from the top (``brands/x/content/a.yaml``)
    so that, among many projects, each problem says whose it is."""
    if path in ("", "."):
        return error
    moved = [
        replace(d, location=replace(d.location, file=f"{path}/{d.location.file}"))
        for d in error.diagnostics
    ]
    return DiagnosticsError(moved)


def reached(
    top: Path, projects: Iterable[RepositoryProject], changed: Collection[str]
) -> list[Reached]:
    """The projects ``changed`` (files relative to ``top``, ``../x`` beyond it) reaches:
    through their own files, or through library files their render loads. A project whose
    render fails is reached by any change to a library it declares: what it loads is then
    unknown."""
    from contentctl.load.dependencies import loaded_outside

    projects = list(projects)
    top = top.resolve()
    result: dict[str, list[str]] = {}
    files = sorted(changed)
    for file in files:
        found = _owner(file, projects)
        if found is not None and not _state_file(file, found):
            result.setdefault(found.path, []).append(file)
    for candidate in projects:
        if candidate.path in result:
            continue
        # A library may lie outside every project, or inside another one (the top folder's
        # project, a brand whose templates the others share): either way, not this one's.
        libraries = tuple(p.as_posix() + "/" for p in candidate.project.template_dirs)
        near = [f for f in files if libraries and _absolute(top, f).startswith(libraries)]
        if not near:
            continue  # no changed file lies in a library it declares: nothing to render
        loaded, errors = loaded_outside(candidate.project)
        hits = [f for f in near if errors or _absolute(top, f) in loaded]
        if hits:
            result[candidate.path] = hits
    by_path = {p.path: p for p in projects}
    return [Reached(by_path[p], tuple(result[p][:5])) for p in sorted(result)]


def _absolute(top: Path, file: str) -> str:
    return Path(os.path.normpath(top / file)).as_posix()


def _owner(file: str, projects: list[RepositoryProject]) -> RepositoryProject | None:
    """The project a repository file belongs to: the deepest folder holding it."""
    best: RepositoryProject | None = None
    for candidate in projects:
        prefix = "" if candidate.path == "." else candidate.path + "/"
        if file.startswith(prefix) and (best is None or len(candidate.path) > len(best.path)):
            best = candidate
    return best


def _state_file(file: str, project: RepositoryProject) -> bool:
    """contentctl's own state beside a project (.contentctl/): no content of it."""
    prefix = "" if project.path == "." else project.path + "/"
    return file[len(prefix) :].startswith(STATE_DIR + "/")


def changed_files(top: Path, ref: str) -> set[str]:
    """Files (relative to ``top``; ``../x`` beyond it) that differ between ``ref`` and the
    working tree."""
    from contentctl.git.revisions import changed_since

    return {Path(os.path.normpath(n)).as_posix() for n in changed_since(top, ref)}

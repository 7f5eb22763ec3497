"""Git, for content repositories: the only module that uses gitpython (imported lazily).

Everything here degrades quietly outside a git repository: no commit to record, nothing
dirty, no way to compute changes (that one is an error, since the user asked for it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.errors import ContentctlError

if TYPE_CHECKING:
    import git

DEFAULT_AUTHOR = ("contentctl", "contentctl@users.noreply.github.com")


def _repo(path: Path) -> git.Repo | None:
    import git

    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def root(path: Path) -> Path | None:
    repo = _repo(path)
    return Path(repo.working_tree_dir) if repo and repo.working_tree_dir else None


def head_commit(path: Path) -> str | None:
    """The commit checked out, or None outside git or before the first commit."""
    repo = _repo(path)
    if repo is None:
        return None
    try:
        return str(repo.head.commit.hexsha)
    except ValueError:
        return None


def dirty_files(project: Path, ignore: tuple[str, ...] = ()) -> list[str]:
    """Files of the project (relative to it) that differ from HEAD, untracked ones included."""
    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        return []
    top = Path(repo.working_tree_dir)
    prefix = project.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    changed = repo.git.status("--porcelain", "--untracked-files=all", "--", prefix or ".")
    names = [line[3:].split(" -> ")[-1].strip('"') for line in changed.splitlines() if line]
    out = [n[len(prefix) :] for n in names if n.startswith(prefix)]
    return sorted(n for n in out if not n.startswith(ignore))


def changed_since(project: Path, ref: str) -> set[str]:
    """Project files (relative to it) that differ between ``ref`` and the working tree."""
    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError(
            "--changed-since needs a git repository", hint=f"{project} is not inside one"
        )
    import git

    try:
        repo.commit(ref)
    except (git.BadName, ValueError):
        raise ContentctlError(
            f"--changed-since: unknown git revision {ref!r}",
            hint="fetch it first (actions/checkout with fetch-depth: 0)",
        ) from None
    top = Path(repo.working_tree_dir).resolve()
    prefix = project.resolve().relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    names = set(repo.git.diff("--name-only", ref, "--", prefix or ".").splitlines())
    names |= set(repo.untracked_files)
    return {n[len(prefix) :] for n in names if n.startswith(prefix)}


def commit_paths(project: Path, paths: list[Path], message: str, push: bool) -> str:
    """Commit exactly ``paths`` (nothing else staged goes in); optionally push. Returns sha."""
    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError("--commit needs a git repository")
    top = Path(repo.working_tree_dir).resolve()
    relative = [p.resolve().relative_to(top).as_posix() for p in paths]
    identity: list[str] = []
    reader = repo.config_reader()
    if not reader.has_option("user", "email") and "GIT_AUTHOR_EMAIL" not in os.environ:
        identity = ["-c", f"user.name={DEFAULT_AUTHOR[0]}", "-c", f"user.email={DEFAULT_AUTHOR[1]}"]
    repo.git.add("--", *relative)
    repo.git.execute(["git", *identity, "commit", "--quiet", "-m", message, "--", *relative])
    sha = str(repo.head.commit.hexsha)
    if push:
        branch = repo.active_branch.name
        repo.git.push("origin", f"HEAD:{branch}")
    return sha

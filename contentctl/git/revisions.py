"""Reading the branch's past: the files changed since a revision (``--changed-since``) and
the lockfile as earlier commits held it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from contentctl.errors import ContentctlError
from contentctl.git.repo import in_repo, open_repo, show


def changed_since(project: Path, ref: str) -> set[str]:
    """Files that differ between ``ref`` and the working tree, relative to the project:
    its own (``content/a.yaml``) and the repository's others (``../shared/templates/m.j2``:
    a shared template library the project may render)."""
    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError(
            "--changed-since needs a git repository", hint=f"{project} is not inside one"
        )
    import git

    try:
        repo.commit(ref)
    except (git.BadName, ValueError):
        if not repo.head.is_valid():  # nothing is committed yet: no revision exists
            raise ContentctlError(
                f"--changed-since {ref}: this repository has no commits yet",
                hint="commit first, or plan without --changed-since (everything is new)",
            ) from None
        raise ContentctlError(
            f"--changed-since: unknown git revision {ref!r}",
            hint="fetch it first (actions/checkout with fetch-depth: 0)",
        ) from None
    top = Path(repo.working_tree_dir).resolve()
    prefix = project.resolve().relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    names = set(repo.git.diff("--name-only", ref, "--", ".").splitlines())
    names |= set(repo.untracked_files)
    return {
        n[len(prefix) :]
        if n.startswith(prefix)
        else Path(os.path.relpath(top / n, project.resolve())).as_posix()
        for n in names
    }


def lockfile_base(project: Path, lockfile_path: Path) -> str | None:
    """The lockfile where this branch left the remote's (merge base), else at HEAD."""
    import git

    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir:
        return None
    path = in_repo(repo, lockfile_path)
    where = "HEAD"
    if not repo.head.is_detached:
        with contextlib.suppress(git.GitCommandError):
            where = repo.git.merge_base("HEAD", f"refs/remotes/origin/{repo.active_branch.name}")
    return show(repo, where, path)


def lockfile_versions(
    project: Path, lockfile_path: Path, since: str
) -> list[tuple[str, str | None]]:
    """The lockfile where this branch left ``since`` (their merge base; None when it had
    none), then each version a commit of the branch made, oldest first: (commit, text).
    Empty outside a repository or when ``since`` is unknown."""
    import git

    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir:
        return []
    path = in_repo(repo, lockfile_path)
    try:
        base = repo.git.merge_base(since, "HEAD").strip()
        commits = repo.git.log("--format=%H", "--reverse", f"{base}..HEAD", "--", path).split()
    except git.GitCommandError:
        return []
    versions: list[tuple[str, str | None]] = [(base, show(repo, base, path))]
    for commit in commits:
        text = show(repo, commit, path)
        if text is not None:
            versions.append((commit, text))
    return versions


def show_lockfile(project: Path, lockfile_path: Path, ref: str) -> str | None:
    """The lockfile's text at ``ref``, or None (no such revision, no lockfile there)."""
    import git

    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir:
        return None
    path = in_repo(repo, lockfile_path)
    try:
        return show(repo, repo.git.rev_parse(ref).strip(), path)
    except git.GitCommandError:
        return None

"""What the checkout is: the repository's top, the project's folder in it, the commit
checked out and the files that differ from it."""

from __future__ import annotations

from pathlib import Path

from contentctl.git.repo import open_repo


def root(path: Path) -> Path | None:
    """The top folder of the repository holding ``path``, or None outside one."""
    repo = open_repo(path)
    return Path(repo.working_tree_dir) if repo and repo.working_tree_dir else None


def folder_in_repository(path: Path) -> str:
    """The folder ``path`` as git names it from the top of its repository (``site`` for a
    project in ``site/``, "" at the top or outside git): GitHub attaches annotations to a
    pull request's files only by paths relative to the top."""
    import git

    repo = open_repo(path)
    if repo is None:
        return ""
    try:
        top = Path(repo.git.rev_parse("--show-toplevel")).resolve()
        relative = path.resolve().relative_to(top).as_posix()
    except (git.GitCommandError, ValueError):
        return ""
    return "" if relative == "." else relative


def head_commit(path: Path) -> str | None:
    """The commit checked out, or None outside git or before the first commit."""
    repo = open_repo(path)
    if repo is None:
        return None
    try:
        return str(repo.head.commit.hexsha)
    except ValueError:
        return None


def dirty_files(project: Path, ignore: tuple[str, ...] = ()) -> list[str]:
    """Files of the project (relative to it) that differ from HEAD, untracked ones included."""
    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir:
        return []
    top = Path(repo.working_tree_dir)
    prefix = project.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    changed = repo.git.status("--porcelain", "--untracked-files=all", "--", prefix or ".")
    names = [line[3:].split(" -> ")[-1].strip('"') for line in changed.splitlines() if line]
    out = [n[len(prefix) :] for n in names if n.startswith(prefix)]
    return sorted(n for n in out if not n.startswith(ignore))

"""The repository holding a path, and the helpers every git module here shares: where a
file is from the top, a file's text in a commit, the identity commits are made with, the
line of git's complaint worth showing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.errors import ContentctlError

if TYPE_CHECKING:
    import git

DEFAULT_AUTHOR = ("contentctl", "contentctl@users.noreply.github.com")


def open_repo(path: Path) -> git.Repo | None:
    """The repository holding ``path``, or None outside one."""
    import git

    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def require(path: Path, what: str) -> tuple[git.Repo, Path]:
    """The repository holding ``path`` and its top folder; raises outside one."""
    repo = open_repo(path)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError(
            f"{what} needs a git repository", hint=f"{path.resolve()} is not inside one (git init)"
        )
    return repo, Path(repo.working_tree_dir).resolve()


def in_repo(repo: git.Repo, path: Path) -> str:
    """``path`` as git names it from the top of ``repo`` (which has a working tree)."""
    top = Path(str(repo.working_tree_dir)).resolve()
    return path.resolve().relative_to(top).as_posix()


def show(repo: git.Repo, commit: str, path: str) -> str | None:
    """The text of ``path`` in ``commit``, or None when that commit has no such file."""
    import git

    try:
        return str(repo.git.show(f"{commit}:{path}", strip_newline_in_stdout=False))
    except git.GitCommandError:
        return None  # not in that commit


def identity(repo: git.Repo) -> list[str]:
    """The ``-c`` options that let git commit where no one configured a user."""
    reader = repo.config_reader()
    if not reader.has_option("user", "email") and "GIT_AUTHOR_EMAIL" not in os.environ:
        return ["-c", f"user.name={DEFAULT_AUTHOR[0]}", "-c", f"user.email={DEFAULT_AUTHOR[1]}"]
    return []


def first_line(exc: Exception) -> str:
    """The line of a git error that says what went wrong."""
    text = str(getattr(exc, "stderr", "") or exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if "rejected" in line or line.startswith(("error", "fatal"))]
    return (useful or lines or ["unknown error"])[0].removeprefix("stderr: ").strip("' ")

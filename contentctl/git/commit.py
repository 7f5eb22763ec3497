"""Committing the lockfile: whether it needs a commit or a push, the commit itself, and a
commit made beside the working tree (its lockfile replaced, nothing checked out)."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.errors import ContentctlError
from contentctl.git.repo import first_line, identity, in_repo, open_repo

if TYPE_CHECKING:
    import git


def commit_paths(project: Path, paths: list[Path], message: str) -> str:
    """Commit exactly ``paths`` (nothing else staged goes in). Returns the commit."""
    import git

    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError("--commit needs a git repository")
    relative = [in_repo(repo, p) for p in paths]
    try:
        repo.git.add("--", *relative)
        repo.git.execute(
            ["git", *identity(repo), "commit", "--quiet", "-m", message, "--", *relative]
        )
    except git.GitCommandError as exc:
        raise ContentctlError(
            f"git commit failed: {first_line(exc)}",
            hint="fix what git says, then run `contentctl lock commit` to commit the lockfile",
        ) from None
    return str(repo.head.commit.hexsha)


def lockfile_state(project: Path, lockfile_path: Path) -> tuple[bool, bool]:
    """(the working tree's lockfile differs from HEAD's, HEAD has commits origin lacks)."""
    import git

    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError("this needs a git repository")
    path = in_repo(repo, lockfile_path)
    modified = bool(repo.git.status("--porcelain", "--", path))
    ahead = True
    if not repo.head.is_detached:
        branch = repo.active_branch.name
        # No remote-tracking branch (never fetched): assume it must be pushed.
        with contextlib.suppress(git.GitCommandError):
            ahead = bool(repo.git.rev_list(f"refs/remotes/origin/{branch}..HEAD"))
    return modified, ahead


def commit_lockfile_on(repo: git.Repo, parent: str, path: str, text: str, message: str) -> str:
    """A commit on top of ``parent`` whose tree is ``parent``'s with ``path`` holding
    ``text``, made in a scratch index (the working tree and the branch are not touched)."""
    with tempfile.TemporaryDirectory() as scratch:
        saved = Path(scratch) / "contentctl.lock"
        saved.write_text(text, encoding="utf-8")
        blob = repo.git.hash_object("-w", str(saved))
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        repo.git.read_tree(parent, env=env)
        repo.git.update_index("--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = repo.git.write_tree(env=env)
    return str(
        repo.git.execute(["git", *identity(repo), "commit-tree", tree, "-p", parent, "-m", message])
    )

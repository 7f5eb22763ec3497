"""Pushing the lockfile commit, and winning the race when the remote moved meanwhile: the
commit is built again on top of the remote's, the two lockfiles merged, and pushed again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.errors import ContentctlError
from contentctl.git.commit import commit_lockfile_on
from contentctl.git.repo import first_line, in_repo, open_repo, show

if TYPE_CHECKING:
    import git


class PushError(ContentctlError):
    """The lockfile commit could not be pushed; what was pushed and what was not is said."""


Merge = Callable[[str | None, str, str | None], str]  # (base, ours, theirs) -> merged text
PUSH_ATTEMPTS = 5


def push_lockfile(project: Path, lockfile_path: Path, merge: Merge) -> str:
    """Push the current branch; when the remote moved, build the lockfile commit again on
    top of it (the lockfiles merged) and retry, up to ``PUSH_ATTEMPTS`` times.

    Only commits that change the lockfile alone are rebuilt: anything else the branch has
    that the remote has not is the user's to merge. Returns the pushed commit.
    """
    import git

    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir:
        raise PushError("--push needs a git repository")
    if repo.head.is_detached:
        raise PushError(
            "cannot push from a detached HEAD", hint="check out the branch to push (main)"
        )
    branch = repo.active_branch.name
    path = in_repo(repo, lockfile_path)
    reason = ""
    for _attempt in range(PUSH_ATTEMPTS):
        try:
            repo.git.push("origin", f"HEAD:refs/heads/{branch}")
            return str(repo.head.commit.hexsha)
        except git.GitCommandError as exc:
            reason = first_line(exc)
            if not _lost_race(exc):
                raise PushError(f"git push was refused: {reason}") from None
        try:
            repo.git.fetch("origin", branch)
        except git.GitCommandError as exc:
            raise PushError(f"git fetch failed: {first_line(exc)}") from None
        try:
            _rebuild_on(repo, repo.commit("FETCH_HEAD"), path, merge)
        except git.GitCommandError as exc:
            raise PushError(f"cannot build on the remote's branch: {first_line(exc)}") from None
    raise PushError(
        f"the remote kept moving: {PUSH_ATTEMPTS} pushes lost the race ({reason})",
        hint="run `contentctl lock commit --push` again",
    )


def _rebuild_on(repo: git.Repo, theirs: git.Commit, path: str, merge: Merge) -> None:
    """Move the branch onto ``theirs`` with one commit: the lockfiles of both merged."""
    import git

    base_sha = repo.git.merge_base("HEAD", theirs.hexsha)
    changed = set(repo.git.diff("--name-only", base_sha, "HEAD").splitlines())
    if changed - {path}:
        raise PushError(
            "the remote moved, and this branch has commits other than contentctl.lock's that "
            f"the remote does not: {', '.join(sorted(changed - {path})[:5])}",
            hint="merge them yourself: git pull (the lockfile merges with `contentctl lock "
            "resolve`), then git push",
        )
    merged = merge(
        show(repo, base_sha, path),
        show(repo, "HEAD", path) or "",
        show(repo, theirs.hexsha, path),
    )
    message = str(repo.head.commit.message)
    commit = commit_lockfile_on(repo, theirs.hexsha, path, merged, message)
    try:
        repo.git.reset("--keep", commit)
    except git.GitCommandError as exc:
        raise PushError(
            f"cannot move the branch onto the remote's: {first_line(exc)}",
            hint="commit or stash local changes, then run `contentctl lock commit --push`",
        ) from None


# How a remote refuses a push that raced another push to the same branch (the ref moved,
# or was locked, between its check and its update): as much a lost race as "fetch first".
RACED = ("failed to update ref", "cannot lock ref", "incorrect old value")


def _lost_race(exc: Exception) -> bool:
    """A push refused because the remote has commits this branch lacks, or because another
    push updated the branch at the same moment (not a server veto: a hook, a protection)."""
    text = str(getattr(exc, "stderr", "") or exc)
    if "remote rejected" in text:
        return any(reason in text for reason in RACED)
    return "[rejected]" in text

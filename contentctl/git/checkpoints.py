"""Checkpoint refs: the lockfile pushed beside the branch before creating requests go out,
fetched by the next apply, deleted once the branch has it (see contentctl.checkpoint)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.git.commit import commit_lockfile_on
from contentctl.git.push import PushError
from contentctl.git.repo import first_line, in_repo, open_repo, show

if TYPE_CHECKING:
    import git

# A runner that dies outright (SIGKILL, a lost machine) takes its disk with it: before any
# creating request goes out, the lockfile is also pushed here, beside the branch, where the
# next apply finds it (see contentctl.checkpoint).
CHECKPOINT_REF = "refs/contentctl/checkpoint/"
# A project below the repository's top has its own (many projects apply in parallel on one
# branch: one checkpoint per branch would let one project's overwrite or delete another's).
PROJECT_CHECKPOINT_REF = "refs/contentctl/projects/{folder}/checkpoint/"
UNSAFE_IN_REF = re.compile(r"[^A-Za-z0-9_/-]+")  # no dots: no "..", ".lock" or ".hidden"


def checkpoint_ref(repo: git.Repo, project: Path) -> str:
    """Where the checkpoints of ``project`` on the current branch go."""
    folder = in_repo(repo, project)
    if folder in ("", "."):
        return CHECKPOINT_REF + repo.active_branch.name
    safe = UNSAFE_IN_REF.sub("-", folder).strip("/")
    return PROJECT_CHECKPOINT_REF.format(folder=safe) + repo.active_branch.name


def push_checkpoint(project: Path, lockfile_path: Path, text: str) -> None:
    """Push ``text`` as the lockfile of a commit on top of HEAD, to the checkpoint ref."""
    import git

    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir or repo.head.is_detached:
        raise PushError("checkpoints need a git repository on a branch")
    path = in_repo(repo, lockfile_path)
    ref = checkpoint_ref(repo, lockfile_path.parent)
    try:
        commit = commit_lockfile_on(repo, "HEAD", path, text, "contentctl checkpoint")
        repo.git.push("--quiet", "--force", "origin", f"{commit}:{ref}")
    except git.GitCommandError as exc:
        raise PushError(f"cannot push a checkpoint to {ref}: {first_line(exc)}") from None


def fetch_checkpoint(project: Path, lockfile_path: Path) -> tuple[str | None, str] | None:
    """(the lockfile the checkpointed run started from, the checkpoint's), or None."""
    import git

    repo = open_repo(project)
    if repo is None or not repo.working_tree_dir or repo.head.is_detached:
        return None
    path = in_repo(repo, lockfile_path)
    ref = checkpoint_ref(repo, lockfile_path.parent)
    try:
        repo.git.fetch("--quiet", "origin", f"+{ref}:{ref}")
    except git.GitCommandError as exc:
        if "couldn't find remote ref" in str(exc.stderr):
            return None
        raise PushError(f"cannot fetch the checkpoint {ref}: {first_line(exc)}") from None
    saved = show(repo, ref, path)
    return (show(repo, f"{ref}^", path), saved) if saved is not None else None


def drop_checkpoint(project: Path) -> None:
    """Delete the checkpoint: the branch itself now has everything it recorded."""
    import git

    repo = open_repo(project)
    if repo is None or repo.head.is_detached or not repo.working_tree_dir:
        return
    ref = checkpoint_ref(repo, project)
    with contextlib.suppress(git.GitCommandError):
        repo.git.push("--quiet", "origin", f":{ref}")
    with contextlib.suppress(git.GitCommandError):
        repo.git.update_ref("-d", ref)

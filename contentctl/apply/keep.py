"""Making an apply's record last: contentctl.lock flushed, committed alone and pushed when
asked, or saved for `contentctl lock recover` when that fails; the checkpoint dropped once
the branch has everything, else brought up to date for the next apply to adopt."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl import persist
from contentctl.apply.commit_message import commit_message
from contentctl.errors import ContentctlError
from contentctl.git.checkpoints import drop_checkpoint, push_checkpoint

if TYPE_CHECKING:
    from contentctl.apply.run import Ran
    from contentctl.checkpoint import Checkpoint
    from contentctl.config import Project
    from contentctl.console import Console
    from contentctl.lockfile.writer import LockfileWriter
    from contentctl.plan.project import Planned


def keep(
    planned: Planned,
    ran: Ran,
    environ: Mapping[str, str],
    console: Console,
    *,
    commit: bool,
    push: bool,
) -> persist.Saved | None:
    """Write what the apply recorded where it lasts; what could not be is saved (returned)."""
    project = planned.project
    folders = [persist.recovery_folder(project.root, environ)]
    saved = persist.flush_or_save(ran.writer, planned.lock, folders)
    if saved is None and commit:
        saved = _commit(planned, ran, push, folders, console)
    if ran.checkpoints is not None:
        _settle_checkpoint(project, ran.writer, ran.checkpoints, console, pushed=saved is None)
    return saved


def _commit(
    planned: Planned, ran: Ran, push: bool, folders: list[Path], console: Console
) -> persist.Saved | None:
    """Commit the lockfile alone, with a message that says what was done; push if asked.

    When that fails, the lockfile is saved for recovery (returned); if even that fails,
    the error is raised."""
    project = planned.project
    lines = commit_message(planned.plan, ran.result)
    try:
        made, pushed = persist.commit_and_push(
            project.root, project.lockfile_path, "\n".join(lines), push=push
        )
    except ContentctlError as exc:
        current = ran.writer.current
        saved = persist.save_for_recovery(current, planned.lock, folders, exc.message, push=push)
        if saved is None:
            raise
        return saved
    if made:
        console.say(
            f"\nCommitted contentctl.lock as {made[:12]}" + (" and pushed." if push else ".")
        )
    if pushed and pushed != made:
        console.say(f"The remote had moved: merged the lockfiles and pushed {pushed[:12]}.")
    return None


def _settle_checkpoint(
    project: Project,
    writer: LockfileWriter,
    checkpoints: Checkpoint,
    console: Console,
    *,
    pushed: bool,
) -> None:
    """Drop the checkpoint once the branch has everything; otherwise bring it up to date, so
    the next apply adopts what this one could not push."""
    if checkpoints.failed:
        console.warn(
            f"warning: no checkpoint reached the remote ({checkpoints.failed}): a runner "
            "killed outright during this apply would have left jobs the next apply does not "
            "know"
        )
        return
    if pushed:
        if checkpoints.pushes:
            drop_checkpoint(project.root)
        return
    with contextlib.suppress(ContentctlError):
        push_checkpoint(project.root, project.lockfile_path, writer.text())
        console.warn("The lockfile is also in its checkpoint: the next apply adopts it.")

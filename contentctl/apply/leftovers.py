"""What an apply that stopped or died left behind, taken in by the next one: the checkpoint
of one killed outright before it could push (adopted before planning), and the journal of
one that stopped before folding its records into contentctl.lock."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from contentctl import lease, persist
from contentctl.git.checkpoints import drop_checkpoint
from contentctl.lockfile.files import compact
from contentctl.lockfile.journal import journal_path

if TYPE_CHECKING:
    from contentctl.config import Project
    from contentctl.console import Console


def owner() -> str:
    """Who holds the apply lease, for the messages of those who wait."""
    return os.environ.get("GITHUB_ACTOR") or os.environ.get("USER") or "contentctl"


def adopt_checkpoint(project: Project, console: Console) -> str | None:
    """Take in the records of an apply that died outright, before planning."""
    with lease.hold(project.lockfile_path, owner=owner()):
        adopted = persist.adopt_checkpoint(project.root, project.lockfile_path)
    if adopted and adopted != "nothing new":
        console.say(
            "An earlier apply died before it could push contentctl.lock; taken from its "
            f"checkpoint: {adopted}.\n"
        )
    return adopted


def persist_adopted(project: Project, console: Console) -> None:
    """Commit and push what was adopted (the branch still lacks it), then drop the checkpoint."""
    made, _pushed = persist.commit_and_push(
        project.root,
        project.lockfile_path,
        "contentctl: the lockfile of an apply that died, from its checkpoint [skip ci]",
        push=True,
    )
    if made:
        console.say(f"Committed the adopted records as {made[:12]} and pushed.")
    drop_checkpoint(project.root)


def fold_journal(project: Project, console: Console, *, commit: bool, push: bool) -> None:
    """Records an apply journalled and did not fold into contentctl.lock before it died go
    into the file, under the lease, so that what git commits is whole."""
    if not journal_path(project.lockfile_path).exists():
        return
    with lease.hold(project.lockfile_path, owner=owner()):
        if not compact(project.lockfile_path):
            return  # another apply folded it meanwhile
    console.say("Folded the records a stopped apply left in its journal into contentctl.lock.")
    if commit:
        made, _pushed = persist.commit_and_push(
            project.root,
            project.lockfile_path,
            "contentctl: the records of an apply that stopped before writing them [skip ci]",
            push=push,
        )
        if made:
            console.say(f"Committed them as {made[:12]}.")

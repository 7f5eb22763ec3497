"""Before an apply's first request: the providers the plan needs and their credentials, the
lockfile writer and the API it records against, the commit it records, the checkpoint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from contentctl import target
from contentctl.checkpoint import Checkpoint
from contentctl.git import working_tree
from contentctl.git.checkpoints import push_checkpoint
from contentctl.kinds import KINDS
from contentctl.lockfile.writer import LockfileWriter
from contentctl.providers import check_credentials

if TYPE_CHECKING:
    import httpx

    from contentctl.config import Polling, Project
    from contentctl.console import Console
    from contentctl.lockfile.writer import LockfileWriter
    from contentctl.plan.diff import Plan
    from contentctl.plan.project import Planned


class Reach(Protocol):
    """How an apply reaches the APIs: the real ones, or the sandbox twin."""

    sandbox: bool

    def api_environ(self) -> Mapping[str, str]: ...

    def transport(self, project: Project) -> httpx.AsyncBaseTransport | None: ...

    def polling(self, project: Project, no_wait: bool = False) -> dict[str, Polling]: ...


@dataclass(frozen=True)
class Prepared:
    """What an apply runs with."""

    needed: set[str]
    environ: Mapping[str, str]
    writer: LockfileWriter
    commit: str | None  # the commit the lockfile records as the source of its results
    checkpoints: Checkpoint | None


def providers_needed(the_plan: Plan) -> set[str]:
    """The APIs the plan's running steps and deletes call."""
    return {
        KINDS[c.kind].provider
        for c in the_plan.changes
        if (c.action in ("create", "update", "replace") and c.running) or c.action == "delete"
    }


def prepare(reach: Reach, planned: Planned, console: Console, *, checkpoint: bool) -> Prepared:
    """Refuse missing credentials and records made against another API; warn when the
    working tree has changes the recorded commit does not."""
    project = planned.project
    needed = providers_needed(planned.plan)
    environ = reach.api_environ()
    check_credentials(environ, needed)
    writer = LockfileWriter(project.lockfile_path, planned.lock, journal=True)
    if needed:
        here = target.current(project, environ, needed, sandbox=reach.sandbox)
        writer.set_target(target.check(planned.lock, here))
    commit = working_tree.head_commit(project.root)
    dirty = working_tree.dirty_files(
        project.root, ignore=(f"{project.out_dir}/", ".contentctl/", "contentctl.lock")
    )
    if dirty:
        shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        console.warn(
            f"warning: applying uncommitted changes ({shown}); the lockfile records "
            f"commit {commit[:12] if commit else '(none)'}, which does not have them"
        )
    checkpoints = (
        Checkpoint(writer, lambda text: push_checkpoint(project.root, project.lockfile_path, text))
        if checkpoint
        else None
    )
    return Prepared(needed, environ, writer, commit, checkpoints)

"""The generated content of a plan's pull request comment, with the credits each take cost on
the branch: the lockfile as each commit since the pull request's base left it, read from git.
Shown where content is reviewed before it is published (spec.publishing: reviewed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from contentctl.errors import ContentctlError
from contentctl.git import revisions
from contentctl.lockfile.records import Lockfile
from contentctl.lockfile.text import parse
from contentctl.report import generated
from contentctl.report.takes import Take, takes

if TYPE_CHECKING:
    from contentctl.config import Project
    from contentctl.lockfile.records import Lockfile
    from contentctl.plan.project import Planned


def generated_section(planned: Planned, changed_since: str | None) -> str:
    """The comment's "Generated content", with the takes since ``changed_since`` when given;
    empty unless the project publishes only reviewed content."""
    project = planned.project
    if project.publishing != "reviewed":
        return ""
    history: list[Take] = []
    if changed_since:
        try:
            versions = [
                (commit, parse(text) if text else Lockfile.empty())
                for commit, text in revisions.lockfile_versions(
                    project.root, project.lockfile_path, changed_since
                )
            ]
            history = takes(versions, _base_lockfile(project, changed_since))
        except ContentctlError:
            history = []  # an unreadable old lockfile: the content is still worth showing
    return generated.section(planned.plan, planned.manifests.graph, planned.lock, history)


def _base_lockfile(project: Project, ref: str) -> Lockfile | None:
    text = revisions.show_lockfile(project.root, project.lockfile_path, ref)
    return parse(text) if text else None

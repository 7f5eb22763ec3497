"""A project's plan: its lockfile read, the selection narrowed to what a git revision changed
(``--changed-since``), or a saved plan made again and refused unless it is what it says."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from contentctl.errors import ContentctlError
from contentctl.load.variables import Overrides
from contentctl.lockfile.read import read
from contentctl.plan import file as plan_file
from contentctl.plan.diff import make_plan

if TYPE_CHECKING:
    from collections.abc import Mapping

    from contentctl.config import Project
    from contentctl.lockfile.records import Lockfile
    from contentctl.plan.diff import Plan, PlanOptions
    from contentctl.validate.manifests import Manifests


class Planned(NamedTuple):
    """A plan with what it was made from."""

    project: Project
    manifests: Manifests
    lock: Lockfile
    plan: Plan


def plan_project(
    project: Project,
    manifests: Manifests,
    options: PlanOptions,
    changed_since: str | None = None,
    *,
    whole_lock: bool = True,
) -> Planned:
    """The plan of checked manifests against the lockfile; with ``changed_since``, of what
    the revision's changes reach. ``whole_lock=False``: the lockfile from its digest where it
    can (plan/lock_digest.py), for a command that only shows the plan."""
    unknown = [a for a in options.replace if a not in manifests.graph.resources]
    if unknown:
        raise ContentctlError(f"--replace: no such resource: {', '.join(unknown)}")
    from contentctl.plan import lock_digest

    path = project.lockfile_path
    lock = read(path) if whole_lock else lock_digest.read(path, project.state_dir)
    if changed_since:
        from contentctl.git import revisions
        from contentctl.plan.changed import affected

        touched = affected(
            project, manifests.graph, lock, revisions.changed_since(project.root, changed_since)
        )
        options = replace(options, limit_to=None if touched is None else tuple(sorted(touched)))
    return Planned(project, manifests, lock, make_plan(project, manifests.graph, lock, options))


def variables(overrides: Overrides) -> dict[str, Any]:
    """The variable options of a plan, as its saved file records them."""
    return {"env": overrides.env, "items": [list(i) for i in overrides.items]}


def saved_overrides(saved: Mapping[str, Any]) -> Overrides:
    """The variable options a saved plan was made with: var files first, then vars."""
    recorded = saved["options"].get("variables") or {}
    items = recorded.get("items", [])
    return Overrides(
        recorded.get("env"),
        tuple(("file", v) for k, v in items if k == "file")
        + tuple(("var", v) for k, v in items if k == "var"),
    )


def check_saved(saved: Mapping[str, Any], planned: Planned, overrides: Overrides) -> None:
    """Refuse a saved plan that the same options no longer make (see plan.file.check_fresh)."""
    graph = planned.manifests.graph
    current = plan_file.to_json(planned.plan, graph, variables(overrides))
    plan_file.check_fresh(saved, planned.lock, graph, current)

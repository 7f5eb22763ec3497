"""The plan a command works on: made from the project with the command line's variables,
or a saved plan made again with its own, and refused when it is stale."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.commands.context import App

if TYPE_CHECKING:
    from contentctl.plan.diff import PlanOptions
    from contentctl.plan.project import Planned


def make(
    app: App, options: PlanOptions, changed_since: str | None = None, *, whole_lock: bool = True
) -> Planned:
    """The plan of the App's project, with the command line's variables; ``whole_lock=False``
    for a command that only shows it (the lockfile read from its digest where it can)."""
    from contentctl.plan.project import plan_project

    project = app.project()
    return plan_project(
        project, app.manifests(project), options, changed_since, whole_lock=whole_lock
    )


def planner(
    app: App, plan_file: Path | None, options: PlanOptions, changed_since: str | None
) -> Callable[[], Planned]:
    """How `apply` plans, and plans again under the lease: the saved plan, or a new one."""
    if plan_file is not None:
        return functools.partial(_saved, app, plan_file)
    return functools.partial(make, app, options, changed_since)


def _saved(app: App, path: Path) -> Planned:
    """A saved plan, made again with the variables it was made with, refused when stale."""
    from contentctl.plan import file as plan_file
    from contentctl.plan.project import check_saved, saved_overrides

    saved = plan_file.load(path)
    app.use_variables(saved_overrides(saved))
    planned = make(app, plan_file.options_of(saved))
    check_saved(saved, planned, app.overrides)
    return planned

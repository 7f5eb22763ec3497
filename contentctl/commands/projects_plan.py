"""`contentctl projects plan`: every project's plan in one process, the credits totalled
against the repository's budget."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App, pass_app
from contentctl.commands.options import chosen_format, json_option
from contentctl.commands.projects_options import (
    CHANGED_SINCE,
    MAX_CREDITS,
    found_projects,
    within_budget,
)

if TYPE_CHECKING:
    from contentctl.projects import RepositoryProject
    from contentctl.report.projects import Section


@click.command("plan")
@CHANGED_SINCE
@MAX_CREDITS
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@json_option
@pass_app
@click.pass_context
def plan_all(
    ctx: click.Context,
    app: App,
    changed_since: str | None,
    max_credits: float | None,
    output_format: str,
) -> None:
    """Plan every project (with --changed-since, those the change reaches) in this one
    process, and total the credits: with --max-credits, refuse (exit 1)
    when the total is over the repository's budget. Makes no API call.

    \b
    Examples:
      contentctl projects plan
      contentctl projects plan --changed-since "$BEFORE" --max-credits 1000
    """
    from contentctl.report.projects import totals

    output_format = chosen_format(output_format)
    if changed_since is None and ctx.parent is not None:
        changed_since = ctx.parent.meta.get("projects_changed_since")
    _top, found = found_projects(app, changed_since)
    sections = [_plan_one(app, r.project) for r in found]
    sums = totals(sections, max_credits)
    if output_format == "json":
        data = {
            "projects": [
                {"project": s.path, "name": s.name, "changes": s.changes, "credits": s.credits}
                for s in sections
            ],
            "totals": {"projects": sums.projects, "changes": sums.changes, "credits": sums.credits},
            "max_credits": max_credits,
        }
        click.echo(json.dumps(data, indent=2))
    else:
        for s in sections:
            click.echo(f"{s.path}: {s.changes} changes, estimated {s.credits:g} credits")
        plural = "" if sums.projects == 1 else "s"
        click.echo(
            f"{sums.projects} project{plural}, {sums.changes} changes, "
            f"estimated {sums.credits:g} credits"
        )
    within_budget(sums.credits, max_credits)


def _plan_one(app: App, found: RepositoryProject) -> Section:
    from contentctl.lockfile.read import read
    from contentctl.plan import file as plan_file
    from contentctl.plan.diff import PlanOptions, make_plan
    from contentctl.report import markdown
    from contentctl.report.projects import Section
    from contentctl.validate.manifests import check_project

    manifests = check_project(found.project)
    if manifests.errors:
        from contentctl.errors import DiagnosticsError
        from contentctl.projects import in_folder

        raise in_folder(DiagnosticsError(manifests.diagnostics), found.path)
    lock = read(found.project.lockfile_path)
    the_plan = make_plan(found.project, manifests.graph, lock, PlanOptions())
    data = plan_file.to_json(the_plan, manifests.graph)
    return Section(found.path, found.name, data, markdown.plan(the_plan))

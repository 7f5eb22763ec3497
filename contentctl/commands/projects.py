"""`contentctl projects`: the repository's projects, which of them a change reaches (as a
GitHub Actions matrix), their plans in one process, and one pull request comment for all."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App, pass_app
from contentctl.commands.options import chosen_format, json_option
from contentctl.commands.projects_comment import comment
from contentctl.commands.projects_options import CHANGED_SINCE, MAX_MATRIX_JOBS, found_projects
from contentctl.commands.projects_plan import plan_all
from contentctl.errors import UsageError

if TYPE_CHECKING:
    from contentctl.projects import Reached


@click.group(invoke_without_command=True)
@CHANGED_SINCE
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github-matrix"]),
    default="text",
    show_default=True,
    help='github-matrix: {"include": [{"project": ..., "name": ..., "id": ...}]} for '
    "a job's strategy.matrix (also written to the step's outputs matrix and count).",
)
@json_option
@pass_app
@click.pass_context
def projects(ctx: click.Context, app: App, changed_since: str | None, output_format: str) -> None:
    """List the projects of the repository: every contentctl.yaml under the current folder
    (or -C DIR; run it at the repository's top). With --changed-since, only the projects the change
    reaches: a change to a project's own files, or to a shared template (spec.templates)
    that its manifests include, import or extend: known by rendering them, so a project
    that never loads the changed macro is left out.

    Projects are identified by their folder; the id (the folder with / as -) names their
    artifacts, concurrency groups and GitHub Environments in the workflow `init --multi`
    writes.

    \b
    Examples:
      contentctl projects
      contentctl projects --changed-since origin/main --format github-matrix
      contentctl projects plan --max-credits 500
    """
    if ctx.invoked_subcommand is not None:
        ctx.meta["projects_changed_since"] = changed_since
        return
    output_format = chosen_format(output_format)
    top, found = found_projects(app, changed_since)
    if output_format == "github-matrix":
        if len(found) > MAX_MATRIX_JOBS:
            raise UsageError(
                f"{len(found)} projects are more than the {MAX_MATRIX_JOBS} jobs a GitHub "
                "Actions matrix may generate",
                hint="split the workflow: one per folder of projects, each running "
                "`contentctl -C FOLDER projects`",
            )
        matrix = {"include": [r.project.to_json() for r in found]}
        text = json.dumps(matrix, separators=(",", ":"))
        from contentctl.report import github_actions

        github_actions.set_outputs(app.environ, matrix=text, count=len(found))
        github_actions.append_summary(app.environ, _summary(found, changed_since))
        click.echo(text)
    elif output_format == "json":
        click.echo(json.dumps({"projects": [r.to_json() for r in found]}, indent=2))
    else:
        _text(top, found, changed_since)


def _summary(found: Sequence[Reached], changed_since: str | None) -> str:
    """The step summary: which projects the workflow plans or applies, and why."""
    from contentctl.report.markdown_safe import code

    since = f" since {code(changed_since)}" if changed_since else ""
    lines = [f"### contentctl projects{since}: {len(found)}", ""]
    if not found:
        return "\n".join([*lines, "No project is reached: no plan, no apply."])
    lines += ["| project | because |", "|---|---|"]
    for item in found:
        why = ", ".join(code(f, in_table=True) for f in item.because) or "every project"
        lines.append(f"| {code(item.project.path, in_table=True)} | {why} |")
    return "\n".join(lines)


def _text(top: Path, found: Sequence[Reached], changed_since: str | None) -> None:
    if not found:
        what = f"reached by changes since {changed_since}" if changed_since else "found"
        click.echo(f"No project {what} under {top}.")
        return
    width = max(len(r.project.path) for r in found)
    for item in found:
        why = f"  ({', '.join(item.because)})" if item.because else ""
        click.echo(f"{item.project.path:<{width}}  {item.project.name}{why}")


projects.add_command(plan_all)
projects.add_command(comment)

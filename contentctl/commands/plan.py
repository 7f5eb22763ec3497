"""`contentctl plan`: which API calls apply would make, why, and what they would cost."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App, pass_app
from contentctl.commands.options import chosen_format, json_option, variable_options
from contentctl.commands.plan_options import plan_options

if TYPE_CHECKING:
    from contentctl.plan.project import Planned


@click.command()
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 when there are changes, 1 on error.",
)
@click.option("--diff", is_flag=True, help="Show each step and the field changes behind it.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="json: versioned (schemas/plan.schema.json); markdown: for pull requests.",
)
@json_option
@click.option(
    "-o",
    "-out",
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan; `contentctl apply FILE` applies exactly it.",
)
@plan_options
@variable_options
@pass_app
@click.pass_context
def plan(
    ctx: click.Context,
    app: App,
    detailed_exitcode: bool,
    diff: bool,
    output_format: str,
    out: Path | None,
    allow_republish: bool,
    replace: tuple[str, ...],
    select: tuple[str, ...],
    exclude: tuple[str, ...],
    changed_since: str | None,
    generate: bool,
) -> None:
    """Show which API calls apply would make, why, and what they would cost.

    Compares step hashes with the lockfile; makes no API call and needs no API key.

    \b
    Examples:
      contentctl plan --diff
      contentctl plan --select 'post/launch.*' --select locale=fr   # French posts
      contentctl plan -o plan.json && contentctl apply plan.json
      contentctl plan --json | jq .summary.credits
      contentctl plan --generate        # what a pull request's generate stage would do
    """
    from contentctl.commands.planning import make
    from contentctl.lockfile.journal import journal_path
    from contentctl.plan.diff import PlanOptions

    output_format = chosen_format(output_format)
    options = PlanOptions(allow_republish, replace, select, exclude, generate=generate)
    planned = make(app, options, changed_since, whole_lock=False)
    if journal_path(planned.project.lockfile_path).exists():
        click.echo(
            "warning: contentctl.lock is behind the records a stopped (or running) apply left "
            "in .contentctl/: this plan counts them; `contentctl apply` or `contentctl lock "
            "commit` writes them into contentctl.lock before you commit it",
            err=True,
        )
    _show(app, planned, output_format, out, changed_since, diff=diff)
    if detailed_exitcode and planned.plan.has_changes:
        ctx.exit(2)


def _show(
    app: App,
    planned: Planned,
    output_format: str,
    out: Path | None,
    changed_since: str | None,
    *,
    diff: bool,
) -> None:
    """The plan in its format; saved with ``out``; for GitHub Actions when it runs there."""
    import json

    from contentctl.commands.actions_report import plan_outputs
    from contentctl.plan import file as plan_file
    from contentctl.plan.project import variables
    from contentctl.report import markdown, plan_text
    from contentctl.report.branch_history import generated_section

    # The versioned JSON (with a digest of every manifest) only when it is shown or saved.
    data = None
    if out is not None or output_format == "json":
        data = plan_file.to_json(planned.plan, planned.manifests.graph, variables(app.overrides))
    if out is not None and data is not None:
        plan_file.save(out, data)
    generated = generated_section(planned, changed_since)
    plan_outputs(app, planned, out, generated)
    if output_format == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        budget = markdown.BUDGET - len(generated)
        click.echo(markdown.plan(planned.plan, budget) + generated, nl=False)
    else:
        click.echo(plan_text.plan(planned.plan, app.style, diff=diff))
        if out is not None:
            click.echo(f"\nSaved the plan to {out}. Apply exactly it with: contentctl apply {out}")

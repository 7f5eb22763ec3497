"""Commands that check and show the manifests without changing anything: validate, render."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App, pass_app
from contentctl.commands.options import chosen_format, json_option, variable_options
from contentctl.errors import ContentctlError

if TYPE_CHECKING:
    from contentctl.config import Project


@click.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github: workflow-command annotations on the pull request's files.",
)
@json_option
@variable_options
@pass_app
@click.pass_context
def validate(ctx: click.Context, app: App, output_format: str) -> None:
    """Check every manifest against the schemas and the project's rules.

    Reports every problem of every file in one run, as file:line:col with a hint, errors
    apart from warnings. Makes no API call and needs no key.

    \b
    Examples:
      contentctl validate
      contentctl validate --format github   # in GitHub Actions
      contentctl validate --env prod --var launch=2026-12-01
    """
    output_format = chosen_format(output_format)
    project = app.project()
    _some_manifests(project)
    if output_format == "text":
        manifests = app.manifests(project)
        count = len(manifests.graph.resources)
        files = len(_manifest_files(project))
        click.echo(
            f"{count} resource{'' if count == 1 else 's'} valid, in {files} "
            f"file{'' if files == 1 else 's'} under {_folders(project)}."
        )
        return
    from contentctl.git.working_tree import folder_in_repository
    from contentctl.report.diagnostics import FORMATS
    from contentctl.validate.manifests import check_project

    found = check_project(project, app.overrides)
    folder = folder_in_repository(project.root) if output_format == "github" else ""
    click.echo(FORMATS[output_format](found.diagnostics, folder), nl=False)
    if found.errors:
        ctx.exit(1)


def _manifest_files(project: Project) -> list[Path]:
    from contentctl.load.discover import manifest_files

    return manifest_files(project)


def _folders(project: Project) -> str:
    return ", ".join(f"{folder.rstrip('/')}/" for folder in project.content_dirs)


def _some_manifests(project: Project) -> None:
    """Validating nothing is not a success: a wrong -C or spec.content says so."""
    if _manifest_files(project):
        return
    from contentctl.load.discover import MANIFEST_SUFFIXES

    suffixes = ", ".join(f"*{s}" for s in MANIFEST_SUFFIXES)
    raise ContentctlError(
        f"no manifests to validate: no {suffixes} file under {_folders(project)} of {project.root}",
        hint="write manifests in content/ (contentctl init writes an example), or name "
        "their folders in contentctl.yaml (spec.content)",
    )


@click.command()
@click.argument("addresses", nargs=-1)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
)
@json_option
@variable_options
@pass_app
def render(app: App, addresses: tuple[str, ...], output_format: str) -> None:
    """Print the manifests exactly as plan sees them: Jinja rendered, campaigns expanded.

    What reviewers read when a template changes. ADDRESS selects resources (all by default).

    \b
    Examples:
      contentctl render
      contentctl render post/launch.widgets-fr.announce --json
    """
    from contentctl.report import rendered

    output_format = chosen_format(output_format)
    resources = app.manifests(app.project()).graph.resources
    unknown = [a for a in addresses if a not in resources]
    if unknown:
        raise ContentctlError(
            f"no such resource: {', '.join(unknown)}",
            hint="contentctl render with no address lists them all",
        )
    chosen = [resources[a] for a in (addresses or sorted(resources))]
    click.echo(rendered.FORMATS[output_format](chosen), nl=False)

"""Commands that read without changing anything: validate, render, show, output."""

from __future__ import annotations

import json

import click

from contentctl.commands.context import App, pass_app, variable_options
from contentctl.errors import ContentctlError


@click.command()
@variable_options
@pass_app
def validate(app: App) -> None:
    """Check every manifest against the schemas and the project's rules.

    Reports every problem of every file in one run, as file:line:col. Makes no API call.
    """
    manifests = app.manifests(app.project())
    count = len(manifests.graph.resources)
    click.echo(f"{count} resource{'' if count == 1 else 's'} valid.")


@click.command()
@click.argument("addresses", nargs=-1)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
)
@variable_options
@pass_app
def render(app: App, addresses: tuple[str, ...], output_format: str) -> None:
    """Print the manifests exactly as plan sees them: Jinja rendered, campaigns expanded.

    What reviewers read when a template changes. ADDRESS selects resources (all by default).
    """
    from contentctl.report import rendered

    resources = app.manifests(app.project()).graph.resources
    unknown = [a for a in addresses if a not in resources]
    if unknown:
        raise ContentctlError(
            f"no such resource: {', '.join(unknown)}",
            hint="contentctl render with no address lists them all",
        )
    chosen = [resources[a] for a in (addresses or sorted(resources))]
    click.echo(rendered.FORMATS[output_format](chosen), nl=False)


def _lock(app: App, addresses: tuple[str, ...]) -> object:
    from contentctl import lockfile
    from contentctl.config import LOCKFILE

    lock = lockfile.read(app.project_dir / LOCKFILE)
    unknown = [a for a in addresses if a not in lock.resources]
    if unknown:
        raise ContentctlError(
            f"not in the lockfile: {', '.join(unknown)}",
            hint="known: " + (", ".join(sorted(lock.resources)) or "nothing yet"),
        )
    return lock


@click.command()
@click.argument("addresses", nargs=-1)
@pass_app
def show(app: App, addresses: tuple[str, ...]) -> None:
    """Show what the lockfile records: steps, remote ids, credits and outputs
    (generated captions, images, carousel files). Makes no API call."""
    from contentctl.lockfile import Lockfile
    from contentctl.report import text

    lock = _lock(app, addresses)
    assert isinstance(lock, Lockfile)
    click.echo(text.outputs(lock, list(addresses) or None))


@click.command()
@click.argument("address")
@click.option("--json", "as_json", is_flag=True, help="Print the outputs as JSON.")
@pass_app
def output(app: App, address: str, as_json: bool) -> None:
    """Print what a resource produced: captions per platform, media ids, post id, files.

    \b
    Example:
      contentctl output post/dark-mode-launch --json | jq -r .captions.instagram
    """
    from contentctl.lockfile import Lockfile

    lock = _lock(app, (address,))
    assert isinstance(lock, Lockfile)
    outputs = {
        name: dict(step.outputs)
        for name, step in lock.resources[address].steps.items()
        if step.status == "completed" and step.outputs
    }
    if as_json:
        click.echo(json.dumps(outputs, indent=2, ensure_ascii=False, sort_keys=True))
        return
    for step, values in outputs.items():
        for key, value in values.items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            click.echo(f"{step}.{key} = {shown}")

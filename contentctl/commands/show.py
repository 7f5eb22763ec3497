"""Commands that read the lockfile: show (its records) and output (what one resource
produced). Neither makes an API call."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App, pass_app
from contentctl.errors import ContentctlError

if TYPE_CHECKING:
    from contentctl.lockfile.records import Lockfile


def _lock(app: App, addresses: tuple[str, ...]) -> Lockfile:
    from contentctl.lockfile.read import read

    # project() first: outside a content repository, say so, not "not in the lockfile".
    lock = read(app.project().lockfile_path)
    unknown = [a for a in addresses if a not in lock.resources]
    if unknown:
        raise ContentctlError(
            f"not in the lockfile: {', '.join(unknown)}",
            hint="known: " + (", ".join(sorted(lock.resources)) or "nothing yet"),
        )
    return lock


@click.command()
@click.argument("addresses", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="The records as JSON.")
@pass_app
def show(app: App, addresses: tuple[str, ...], as_json: bool) -> None:
    """Show what the lockfile records: steps, remote ids, credits and outputs
    (generated captions in full, images, carousel files). Makes no API call.

    \b
    Examples:
      contentctl show post/dark-mode-launch
      contentctl show --json | jq 'keys'
    """
    from contentctl.report import records

    lock = _lock(app, addresses)
    if as_json:
        chosen = addresses or tuple(sorted(lock.resources))
        click.echo(
            json.dumps(
                {a: lock.resources[a].to_json() for a in chosen},
                indent=2,
                ensure_ascii=False,
                sort_keys=True,
            )
        )
        return
    click.echo(records.outputs(lock, list(addresses) or None))


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
    lock = _lock(app, (address,))
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

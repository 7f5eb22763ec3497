"""`contentctl lookup`: the ids and names manifests refer to, read from PostNitro."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from contentctl.commands.context import App, pass_app
from contentctl.report.lookup import KINDS

if TYPE_CHECKING:
    from contentctl.providers.postnitro import PostNitro


@click.command()
@click.argument("what", type=click.Choice(KINDS))
@click.option("--json", "as_json", is_flag=True, help="The items as the API lists them (JSON).")
@pass_app
def lookup(app: App, what: str, as_json: bool) -> None:
    """List what PostNitro has that manifests refer to: carousel templates, brands, AI
    presets (the preset_id of an AI carousel), and the social accounts connected for
    schedules. Read-only; needs POSTNITRO_API_KEY (or --sandbox).

    \b
    Examples:
      contentctl lookup presets            # the preset_id of an AI carousel
      contentctl lookup templates --json | jq -r '.[].name'
      contentctl --sandbox -C examples/quickstart lookup accounts
    """
    import asyncio
    import json

    from contentctl.providers import open_providers
    from contentctl.report.lookup import table

    project = app.project()

    async def run() -> list[dict[str, Any]]:
        async with open_providers(
            project, app.api_environ(), {"postnitro"}, transport=app.transport(project)
        ) as providers:
            return await _items(providers.require_postnitro(), what)

    items = asyncio.run(run())
    if as_json:
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    click.echo(table(what, items))


async def _items(client: PostNitro, what: str) -> list[dict[str, Any]]:
    if what == "templates":
        return await client.templates()
    if what == "brands":
        return await client.brands()
    if what == "presets":
        return await client.presets()
    accounts = await client.social_accounts()
    return [account for platform in sorted(accounts) for account in accounts[platform]]

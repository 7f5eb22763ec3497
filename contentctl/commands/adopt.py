"""`contentctl import`: adopt an object that already exists remotely as a resource, recorded
at no cost so the next plan shows only real differences."""

from __future__ import annotations

import click

from contentctl.commands.context import App, pass_app
from contentctl.errors import ContentctlError


@click.command("import")
@click.argument("address")
@click.argument("remote_id")
@pass_app
def import_(app: App, address: str, remote_id: str) -> None:
    """Adopt an object that already exists remotely as ADDRESS (no generation, no credit).

    \b
    Post:     REMOTE_ID is a PowerPost post id (post-...); its status is read.
    Carousel: REMOTE_ID is a PostNitro embedPostId; its output is read (files download
              on the next apply).
    Media:    REMOTE_ID is a PowerPost media id (the API cannot read media back).
    Video:    REMOTE_ID is a finished PowerPost video generation.
    Schedule, Brand, CalendarEntry: REMOTE_ID is the object's id; it is read and
              compared with the manifest (a schedule's accounts are looked up).

    The resource's other steps are recorded as imported with the manifest's current
    inputs, so the next plan is empty unless the manifest changes. A schedule, brand or
    calendar entry that differs from its manifest is named, and the next apply sends the
    manifest to it once (a free update, never a new object).

    \b
    Examples:
      contentctl import post/spring-sale post-550e8400-e29b-41d4-a716-446655440000
    """
    import asyncio

    from contentctl import lease
    from contentctl.imports import adopt
    from contentctl.kinds import KINDS
    from contentctl.lockfile.read import read
    from contentctl.lockfile.writer import LockfileWriter
    from contentctl.providers import open_providers

    project = app.project()
    manifests = app.manifests(project)
    resource = manifests.graph.resources.get(address)
    if resource is None:
        raise ContentctlError(
            f"no manifest defines {address}",
            hint="write the manifest first; import adopts the remote object",
        )
    provider = KINDS[resource.kind].provider

    async def run() -> list[str]:
        async with open_providers(
            project, app.api_environ(), {provider}, transport=app.transport(project)
        ) as providers:
            with lease.hold(project.lockfile_path, owner="contentctl import"):
                writer = LockfileWriter(project.lockfile_path, read(project.lockfile_path))
                if address in writer.current.resources:
                    raise ContentctlError(
                        f"{address} is already in the lockfile",
                        hint="contentctl state rm it first to re-import",
                    )
                return await adopt(project, manifests.graph, resource, remote_id, providers, writer)

    differences = asyncio.run(run())
    click.echo(f"Imported {remote_id} as {address}.")
    if differences:
        click.echo(
            f"It differs from the manifest ({', '.join(differences)}): the next apply sends "
            "the manifest to it once (a free update)."
        )

"""Commands that look at the remote side: drift (refresh), and the sandbox server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from contentctl.commands.context import App, pass_app

F = TypeVar("F", bound=Callable[..., Any])


def _drift_options(command: F) -> F:
    for decorator in (
        click.option("--json", "as_json", is_flag=True, help="What drifted, as JSON."),
        click.option(
            "--detailed-exitcode",
            is_flag=True,
            help="Exit 0 when nothing drifted, 2 when something did, 1 on error.",
        ),
    ):
        command = decorator(command)
    return command


@click.command()
@_drift_options
@pass_app
@click.pass_context
def drift(ctx: click.Context, app: App, detailed_exitcode: bool, as_json: bool) -> None:
    """Compare the lockfile with the remote, read-only: deleted posts, failed or outside
    publishes, jobs never collected. Changes nothing (also: `contentctl refresh`).

    \b
    Examples:
      contentctl drift
      contentctl drift --detailed-exitcode   # exit 2 when something drifted
    """
    _drift(ctx, app, detailed_exitcode, as_json)


@click.command()
@_drift_options
@pass_app
@click.pass_context
def refresh(ctx: click.Context, app: App, detailed_exitcode: bool, as_json: bool) -> None:
    """Ask the APIs about what the lockfile records, and say what changed outside
    contentctl: posts deleted or published elsewhere, failed publishes, schedules, brands and
    calendar entries edited in the apps, jobs never collected. The same check as
    `contentctl drift`, under Terraform's name.

    Unlike Terraform's refresh, it never writes contentctl.lock: what the remote changed is
    for you to adopt (edit the manifest) or undo (`contentctl apply --replace ADDRESS`).
    Makes read-only API calls only.

    \b
    Examples:
      contentctl refresh
      contentctl refresh --json | jq -r '.[].address'
    """
    _drift(ctx, app, detailed_exitcode, as_json)


def _drift(ctx: click.Context, app: App, detailed_exitcode: bool, as_json: bool) -> None:
    import asyncio

    from contentctl import drift as drifts
    from contentctl.lockfile.read import read
    from contentctl.providers import open_providers

    project = app.project()
    lock = read(project.lockfile_path)
    needed = {r.provider for r in lock.resources.values()}

    async def run() -> list[drifts.Drift]:
        async with open_providers(
            project, app.api_environ(), needed, transport=app.transport(project)
        ) as providers:
            return await drifts.detect(lock, providers)

    found = asyncio.run(run()) if needed else []
    if as_json:
        import json

        click.echo(
            json.dumps([{"address": d.address, "message": d.message} for d in found], indent=2)
        )
        if detailed_exitcode and found:
            ctx.exit(2)
        return
    if not found:
        click.echo(
            f"No drift: the remote matches the lockfile ({len(lock.resources)} resources checked)."
        )
        return
    click.echo("Changed outside contentctl (drift):")
    for item in found:
        click.echo(f"  {item.address}: {item.message}")
    if detailed_exitcode:
        ctx.exit(2)


@click.command()
@click.argument("addresses", nargs=-1)
@pass_app
def pull(app: App, addresses: tuple[str, ...]) -> None:
    """Download the carousel files the lockfile records into out/ (free; no API call that
    creates anything). A fresh clone has none: they are local copies, not a change to plan.

    Files already there with the recorded bytes are kept; a file is saved only if its bytes
    are the ones recorded.

    \b
    Examples:
      contentctl pull
      contentctl pull carousel/dark-mode-tips
    """
    import asyncio

    from contentctl import artifacts
    from contentctl.errors import ContentctlError
    from contentctl.lockfile.read import read
    from contentctl.plan.diff import missing_artifacts
    from contentctl.providers import download_client, downloads_for

    project = app.project()
    lock = read(project.lockfile_path)
    unknown = [a for a in addresses if a not in lock.resources]
    if unknown:
        raise ContentctlError(f"not in the lockfile: {', '.join(unknown)}")
    wanted = list(addresses) or list(missing_artifacts(project, lock))
    if not wanted:
        click.echo(f"Nothing to pull: every recorded file is in {project.out_dir}/.")
        return

    async def run() -> list[artifacts.Pulled]:
        async with download_client(app.transport(project)) as client:
            return await artifacts.pull(project, lock, downloads_for(project, client), wanted)

    results = asyncio.run(run())
    for item in results:
        click.echo(f"{item.address}: {item.path}" + (f": {item.problem}" if item.problem else ""))
    failed = [r for r in results if r.problem]
    click.echo(
        f"Pulled {len(results) - len(failed)} file(s)"
        + (f"; {len(failed)} failed." if failed else ".")
    )
    if failed:
        raise ContentctlError(
            f"{len(failed)} file(s) could not be pulled",
            hint="expired links: `contentctl apply --replace ADDRESS` renders again (paid)",
        )


@click.group()
def sandbox() -> None:
    """The embedded emulation of PowerPost and PostNitro.

    Any command runs against it with --sandbox (or CONTENTCTL_SANDBOX=1); its state lives
    in the project's .contentctl/sandbox.

    \b
    Examples:
      contentctl --sandbox -C examples/quickstart apply --auto-approve
      contentctl -C examples/quickstart sandbox serve --port 8765
    """


@sandbox.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@pass_app
def sandbox_serve(app: App, port: int) -> None:
    """Serve the sandbox over HTTP on 127.0.0.1 (state in the project's .contentctl/sandbox).

    Point a client at it with POWERPOST_BASE_URL=http://127.0.0.1:PORT/powerpost/api/v1
    and POSTNITRO_BASE_URL=http://127.0.0.1:PORT/postnitro.

    \b
    Examples:
      contentctl -C examples/quickstart sandbox serve --port 8765
    """
    import uvicorn

    from contentctl.sandbox.app import Sandbox
    from contentctl.sandbox.settings import SandboxSettings

    box = Sandbox(
        app.project_dir / ".contentctl" / "sandbox", SandboxSettings.from_env(app.environ)
    )
    click.echo(
        f"sandbox on http://127.0.0.1:{port} (PowerPost: /powerpost/api/v1, PostNitro: /postnitro)"
    )
    uvicorn.run(box.app, host="127.0.0.1", port=port, log_level="warning")

"""Lockfile surgery and recovery: state list/show/orphans/mv/rm, unlock.

Every change is made under the apply lease and written atomically, like an apply's.
"""

from __future__ import annotations

import click

from contentctl.commands.context import App, pass_app
from contentctl.errors import ContentctlError


@click.group()
def state() -> None:
    """Inspect and edit contentctl.lock by hand (rename, forget).

    \b
    Examples:
      contentctl state list
      contentctl state orphans
      contentctl state mv post/old-name post/new-name
      contentctl state rm carousel/retired-deck
    """


@state.command("list")
@click.option("--json", "as_json", is_flag=True, help="Addresses and step statuses as JSON.")
@pass_app
def state_list(app: App, as_json: bool) -> None:
    """List the addresses the lockfile records, with their steps' statuses.

    \b
    Examples:
      contentctl state list --json
    """
    import json

    from contentctl.lockfile.read import read

    lock = read(app.project().lockfile_path)
    statuses = {a: {n: s.status for n, s in r.steps.items()} for a, r in lock.resources.items()}
    if as_json:
        click.echo(json.dumps(statuses, indent=2, sort_keys=True))
        return
    for address in sorted(statuses):
        click.echo(f"{address}\t{','.join(sorted(set(statuses[address].values())))}")


@state.command("show")
@click.argument("address")
@pass_app
def state_show(app: App, address: str) -> None:
    """Show one record as the lockfile holds it (JSON).

    \b
    Examples:
      contentctl state show post/dark-mode-launch
    """
    from contentctl.lockfile.read import read
    from contentctl.lockfile.text import dumps

    lock = read(app.project().lockfile_path)
    if address not in lock.resources:
        raise ContentctlError(f"not in the lockfile: {address}")
    click.echo(dumps(lock.resources[address].to_json()), nl=False)


@state.command("orphans")
@click.option("--json", "as_json", is_flag=True, help="The orphans as JSON.")
@pass_app
def state_orphans(app: App, as_json: bool) -> None:
    """List remote objects the lockfile keeps but no resource uses any more.

    Mostly drafts that an update replaced: PowerPost has no API to delete a post, so each
    update of a Post leaves its previous draft in PowerPost (the plan says so). Delete
    them there; `contentctl drift` says which still exist. Also the losing side of a
    lockfile merge conflict.

    \b
    Examples:
      contentctl state orphans
      contentctl state orphans --json
    """
    import json

    from contentctl.lockfile.read import read

    lock = read(app.project().lockfile_path)
    rows = [
        {
            "address": address,
            "step": orphan.get("step"),
            "remote_id": (orphan.get("record") or {}).get("remote_id"),
            "status": (orphan.get("record") or {}).get("status"),
            "reason": orphan.get("reason", ""),
        }
        for address, record in sorted(lock.resources.items())
        for orphan in record.orphans
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, sort_keys=True))
        return
    if not rows:
        click.echo("No orphans: every remote object the lockfile records is in use.")
        return
    for row in rows:
        click.echo(f"{row['address']}\t{row['step']}\t{row['remote_id']}\t{row['reason']}")


@state.command("mv")
@click.argument("source")
@click.argument("destination")
@pass_app
def state_mv(app: App, source: str, destination: str) -> None:
    """Give a record a new address, keeping what was created (prefer a moved: block).

    \b
    Examples:
      contentctl state mv post/old-name post/new-name
    """
    from contentctl import lease
    from contentctl.lockfile.read import read
    from contentctl.lockfile.writer import LockfileWriter

    project = app.project()
    with lease.hold(project.lockfile_path, owner="contentctl state mv"):
        writer = LockfileWriter(project.lockfile_path, read(project.lockfile_path))
        if source not in writer.current.resources:
            raise ContentctlError(f"not in the lockfile: {source}")
        if destination in writer.current.resources:
            raise ContentctlError(f"{destination} is already in the lockfile")
        if source.split("/")[0] != destination.split("/")[0]:
            raise ContentctlError("a record cannot change kind")
        writer.rename(source, destination)
    click.echo(f"Moved {source} to {destination}.")


@state.command("rm")
@click.argument("addresses", nargs=-1, required=True)
@pass_app
def state_rm(app: App, addresses: tuple[str, ...]) -> None:
    """Forget records: contentctl stops tracking them; nothing changes remotely.

    \b
    Examples:
      contentctl state rm carousel/retired-deck
    """
    from contentctl import lease
    from contentctl.lockfile.read import read
    from contentctl.lockfile.writer import LockfileWriter

    project = app.project()
    with lease.hold(project.lockfile_path, owner="contentctl state rm"):
        writer = LockfileWriter(project.lockfile_path, read(project.lockfile_path))
        unknown = [a for a in addresses if a not in writer.current.resources]
        if unknown:
            raise ContentctlError(f"not in the lockfile: {', '.join(unknown)}")
        gone = set(addresses)  # one write, however many: not a rewrite per address
        writer.replace_all({a: r for a, r in writer.current.resources.items() if a not in gone})
    click.echo(f"Forgot {', '.join(addresses)}; the remote objects stay.")


@click.command()
@click.option(
    "--force", is_flag=True, help="Remove the lease even if its holder may be alive (another host)."
)
@pass_app
def unlock(app: App, force: bool) -> None:
    """Remove the apply lease left by an apply that died (contentctl.lock.lease).

    A holder on this machine whose process is gone, or a lease past its expiry, is removed
    without --force. A holder on another host (a CI runner) cannot be checked: make sure
    that job is dead, then use --force.

    \b
    Examples:
      contentctl unlock
      contentctl unlock --force   # the holder was a cancelled CI job
    """
    from contentctl import lease

    removed = lease.release(app.project().lockfile_path, force=force)
    if removed is None:
        click.echo("No lease is held.")
    else:
        click.echo(f"Removed the lease of {lease.describe(removed)}.")

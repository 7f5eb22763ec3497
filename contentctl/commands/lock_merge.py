"""`contentctl lock merge`, `resolve` and `install-driver`: contentctl.lock merged as records,
by git's merge driver or during a conflicted merge, and the driver installed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App, pass_app
from contentctl.errors import ContentctlError, LockfileError

if TYPE_CHECKING:
    from contentctl.lockfile.merge import Merged
    from contentctl.lockfile.records import Lockfile


@click.command("merge")
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("ours", type=click.Path(path_type=Path))
@click.argument("theirs", type=click.Path(path_type=Path))
def merge_command(base: Path, ours: Path, theirs: Path) -> None:
    """Merge THEIRS into OURS against their common ancestor BASE (a git merge driver).

    Writes the merged lockfile into OURS, prints one line per resource both sides changed,
    and exits 1 when there were such conflicts: git then marks contentctl.lock conflicted,
    but the file is valid and keeps every remote id of both sides; review it, then
    `git add contentctl.lock`. An empty BASE means there is no common ancestor.

    \b
    Examples:
      git config merge.contentctl.driver "contentctl lock merge %O %A %B"
      contentctl lock merge base.lock contentctl.lock theirs.lock
    """
    from contentctl.lockfile.durable import write_atomic
    from contentctl.lockfile.merge import merge
    from contentctl.lockfile.records import Lockfile
    from contentctl.lockfile.text import dumps

    sides = {name: read_side(path, name) for name, path in (("ours", ours), ("theirs", theirs))}
    merged = merge(read_side(base, "base"), *(s or Lockfile.empty() for s in sides.values()))
    write_atomic(ours, dumps(merged.lockfile.to_json()))
    report_conflicts(merged)
    if merged.conflicts:
        raise click.exceptions.Exit(1)


@click.command("resolve")
@pass_app
def resolve(app: App) -> None:
    """Merge a conflicted contentctl.lock during a git merge or rebase, and stage it.

    Merges the versions git keeps (common ancestor, ours, theirs) as the merge driver
    would. Resources changed on both sides are listed and the file is left for review
    (exit 1): it is valid and keeps every remote id; `git add contentctl.lock` when done.

    \b
    Examples:
      git merge feature && contentctl lock resolve && git commit --no-edit
    """
    from contentctl.config import LOCKFILE
    from contentctl.git import merge_driver
    from contentctl.lockfile.durable import write_atomic
    from contentctl.lockfile.merge import merge
    from contentctl.lockfile.records import Lockfile
    from contentctl.lockfile.text import dumps

    path = app.project_dir / LOCKFILE
    stages = merge_driver.conflict_stages(path)
    if stages is None:
        raise ContentctlError(
            f"{LOCKFILE} has no merge conflict to resolve",
            hint="lock resolve works during a git merge or rebase that left it conflicted "
            "(git status lists it as 'both modified')",
        )
    base, ours, theirs = (
        parse_side(path, text, name)
        for name, text in (("base", stages.base), ("ours", stages.ours), ("theirs", stages.theirs))
    )
    merged = merge(base, ours or Lockfile.empty(), theirs or Lockfile.empty())
    write_atomic(path, dumps(merged.lockfile.to_json()))
    report_conflicts(merged)
    if merged.conflicts:
        click.echo(
            f"{LOCKFILE} is merged and valid, nothing lost, but the resources above changed on "
            "both sides: review them with `contentctl show ADDRESS`, then "
            f"`git add {LOCKFILE}`.",
            err=True,
        )
        raise click.exceptions.Exit(1)
    merge_driver.add(path)
    count = len(merged.lockfile.resources)
    click.echo(f"Merged {LOCKFILE} ({count} resource{'' if count == 1 else 's'}) and staged it.")


@click.command("install-driver")
@pass_app
def install_driver(app: App) -> None:
    """Configure git to merge contentctl.lock with `contentctl lock merge` in this clone.

    Sets merge.contentctl.name and merge.contentctl.driver in the repository's git config
    (merge drivers live in git config, not in the repository, so run it once per clone) and
    makes sure .gitattributes says `contentctl.lock merge=contentctl`. Safe to run again.

    \b
    Examples:
      contentctl lock install-driver
      git config --get merge.contentctl.driver   # contentctl lock merge %O %A %B
    """
    from contentctl.git import merge_driver

    configured = merge_driver.install_merge_driver(app.project_dir)
    click.echo(
        "Configured the contentctl merge driver in this repository's git config."
        if configured
        else "The contentctl merge driver is already configured."
    )
    if merge_driver.add_merge_attribute(app.project_dir):
        click.echo(f"Added `{merge_driver.MERGE_ATTRIBUTE}` to .gitattributes: commit it.")


def read_side(path: Path, name: str) -> Lockfile | None:
    """One side given to the merge driver; None for an empty file (no such version)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise LockfileError(f"cannot read the {name} version {path}: {exc.strerror}") from None
    return parse_side(path, text, name)


def parse_side(path: Path, text: bytes | None, name: str) -> Lockfile | None:
    from contentctl.lockfile.text import parse

    if text is None or not text.strip():
        return None
    try:
        return parse(text.decode("utf-8"), f"the {name} version of {path.name}")
    except UnicodeDecodeError as exc:
        raise LockfileError(f"the {name} version of {path.name} is not UTF-8: {exc}") from None
    except LockfileError as exc:
        raise LockfileError(exc.message) from None


def report_conflicts(merged: Merged) -> None:
    for conflict in merged.conflicts:
        click.echo(f"conflict: {conflict}", err=True)

"""`contentctl lock`: contentctl.lock and git. Merge the records of two branches that both
applied (a git merge driver, or by hand during a conflicted merge), install the driver."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App, pass_app
from contentctl.errors import ContentctlError, LockfileError

if TYPE_CHECKING:
    from contentctl.config import Project
    from contentctl.lockfile import Lockfile
    from contentctl.lockfile_merge import Merged


@click.group()
def lock() -> None:
    """contentctl.lock and git: merge the records of branches that both applied.

    \b
    Examples:
      contentctl lock install-driver   # once per clone: git merges contentctl.lock
      contentctl lock resolve          # during a merge that left it conflicted
    """


@lock.command("merge")
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
    from contentctl import lockfile
    from contentctl.lockfile_merge import merge

    sides = {name: _read(path, name) for name, path in (("ours", ours), ("theirs", theirs))}
    merged = merge(_read(base, "base"), *(s or lockfile.Lockfile.empty() for s in sides.values()))
    lockfile.write_atomic(ours, lockfile.dumps(merged.lockfile.to_json()))
    _report(merged)
    if merged.conflicts:
        raise click.exceptions.Exit(1)


@lock.command("resolve")
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
    from contentctl import lockfile
    from contentctl.config import LOCKFILE
    from contentctl.git import merge_driver
    from contentctl.lockfile_merge import merge

    path = app.project_dir / LOCKFILE
    stages = merge_driver.conflict_stages(path)
    if stages is None:
        raise ContentctlError(
            f"{LOCKFILE} has no merge conflict to resolve",
            hint="lock resolve works during a git merge or rebase that left it conflicted "
            "(git status lists it as 'both modified')",
        )
    base, ours, theirs = (
        _parse(path, text, name)
        for name, text in (("base", stages.base), ("ours", stages.ours), ("theirs", stages.theirs))
    )
    merged = merge(base, ours or lockfile.Lockfile.empty(), theirs or lockfile.Lockfile.empty())
    lockfile.write_atomic(path, lockfile.dumps(merged.lockfile.to_json()))
    _report(merged)
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


@lock.command("install-driver")
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


def _read(path: Path, name: str) -> Lockfile | None:
    """One side given to the merge driver; None for an empty file (no such version)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise LockfileError(f"cannot read the {name} version {path}: {exc.strerror}") from None
    return _parse(path, text, name)


def _parse(path: Path, text: bytes | None, name: str) -> Lockfile | None:
    from contentctl import lockfile

    if text is None or not text.strip():
        return None
    try:
        return lockfile.parse(text.decode("utf-8"), f"the {name} version of {path.name}")
    except UnicodeDecodeError as exc:
        raise LockfileError(f"the {name} version of {path.name} is not UTF-8: {exc}") from None
    except LockfileError as exc:
        raise LockfileError(exc.message) from None


def _report(merged: Merged) -> None:
    for conflict in merged.conflicts:
        click.echo(f"conflict: {conflict}", err=True)


@lock.command("commit")
@click.option("--push", is_flag=True, help="Push the commit (merging with the remote's lockfile).")
@click.option(
    "-m",
    "--message",
    default="contentctl: the lockfile an interrupted apply left [skip ci]",
    show_default=True,
    help="The commit message.",
)
@pass_app
def commit(app: App, push: bool, message: str) -> None:
    """Commit whatever contentctl.lock is on disk (alone), and push it.

    The safety net of a CI job: run it in a final step that runs even when the apply
    step was cancelled or killed (`if: always()`), so the record of every paid job the
    apply made reaches the repository; records a killed apply left only in its journal
    (.contentctl/contentctl.lock.journal) are folded into the lockfile first. Nothing to
    do when the lockfile is committed and pushed already. A push that loses a race merges
    the lockfiles and tries again.

    \b
    Examples:
      contentctl lock commit --push
    """
    from contentctl import lease, lockfile, persist

    project = app.project()
    lockfile.read(project.lockfile_path)  # never commit a file that is not a lockfile
    with lease.hold(project.lockfile_path, owner="contentctl lock commit"):
        try:
            made, pushed = persist.commit_and_push(
                project.root, project.lockfile_path, message, push=push
            )
        except ContentctlError as exc:
            current = lockfile.read(project.lockfile_path)
            folder = persist.recovery_folder(project.root, app.environ)
            saved = persist.save_for_recovery(
                current, _committed(project), [folder], exc.message, push=push
            )
            if saved is None:
                raise
            raise saved.error(app.environ) from None
    if made:
        click.echo(f"Committed {project.lockfile_path.name} as {made[:12]}.")
    if pushed:
        click.echo(f"Pushed {pushed[:12]}.")
    if not made and not pushed:
        done = "committed and pushed" if push else "committed"
        click.echo(f"Nothing to do: {project.lockfile_path.name} is {done}.")


@lock.command("recover")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--commit", "commit_it", is_flag=True, help="Commit the recovered lockfile.")
@click.option("--push", is_flag=True, help="With --commit: push it.")
@pass_app
def recover(app: App, folder: Path, commit_it: bool, push: bool) -> None:
    """Bring back the records of a lockfile an apply could not write, commit or push.

    FOLDER is where apply saved it (it names the folder; in GitHub Actions, the run's
    contentctl-recovery artifact). Its records are merged into contentctl.lock against the
    lockfile that apply started from, so whatever was committed since is kept too.

    \b
    Examples:
      contentctl lock recover .contentctl/recovery
      contentctl lock recover ~/Downloads/contentctl-recovery --commit --push
    """
    from contentctl import lease, lockfile, persist
    from contentctl.lockfile_merge import merge

    if push and not commit_it:
        raise ContentctlError("--push needs --commit")
    project = app.project()
    saved = _read(folder / "contentctl.lock", "saved")
    if saved is None:
        raise ContentctlError(f"no saved contentctl.lock in {folder}")
    base_file = folder / persist.BASE_NAME
    base = _read(base_file, "base") if base_file.exists() else None
    with lease.hold(project.lockfile_path, owner="contentctl lock recover"):
        current = lockfile.read(project.lockfile_path)
        merged = merge(base, current, saved)
        lockfile.write_atomic(project.lockfile_path, lockfile.dumps(merged.lockfile.to_json()))
        _report(merged)
        count = len(merged.lockfile.resources)
        click.echo(f"Recovered {project.lockfile_path.name}: {count} resources recorded.")
        if commit_it:
            made, pushed = persist.commit_and_push(
                project.root,
                project.lockfile_path,
                "contentctl: recover the lockfile an apply could not push [skip ci]",
                push=push,
            )
            if made:
                click.echo(f"Committed it as {made[:12]}" + (" and pushed." if pushed else "."))


@lock.command("retarget")
@pass_app
def retarget(app: App) -> None:
    """Record that contentctl.lock's records belong to the APIs configured now.

    For a lockfile whose resources are real but that does not say so (written by an earlier
    contentctl), or whose API moved to a new base URL. Never run it to make a real apply
    trust records made with --sandbox: those do not exist remotely.

    \b
    Examples:
      POWERPOST_BASE_URL=https://new.example/api/v1 contentctl lock retarget
    """
    from contentctl import lease, lockfile, target

    project = app.project()
    environ = app.api_environ()
    with lease.hold(project.lockfile_path, owner="contentctl lock retarget"):
        current = lockfile.read(project.lockfile_path)
        if not current.exists:
            raise ContentctlError("there is no contentctl.lock to retarget")
        if (current.target or {}).get("sandbox") and not app.sandbox and current.resources:
            raise ContentctlError(
                "contentctl.lock records sandbox resources: they do not exist in the real APIs, "
                "and no retarget can make them",
                hint="start clean: `git rm contentctl.lock` (or delete it), then apply",
            )
        used = {r.provider for r in current.resources.values()} or {"powerpost", "postnitro"}
        here = target.current(project, environ, used, sandbox=app.sandbox)
        lockfile.LockfileWriter(project.lockfile_path, current).record_target(here)
    click.echo(f"{project.lockfile_path.name} now records its target: {target.describe(here)}.")


def _committed(project: Project) -> Lockfile:
    """The lockfile as the remote last had it (or as HEAD has it): a recovery's base."""
    from contentctl import lockfile
    from contentctl.git.revisions import lockfile_base

    text = lockfile_base(project.root, project.lockfile_path)
    return lockfile.parse(text, "the committed lockfile") if text else lockfile.Lockfile.empty()

"""`contentctl lock commit`, `recover` and `retarget`: the lockfile brought to the repository
after an apply that could not (committed, pushed, recovered from where it was saved) and
its records tied to the APIs configured now."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App, pass_app
from contentctl.commands.lock_merge import read_side, report_conflicts
from contentctl.errors import ContentctlError

if TYPE_CHECKING:
    from contentctl.config import Project
    from contentctl.lockfile.records import Lockfile


@click.command("commit")
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
    from contentctl import lease, persist
    from contentctl.lockfile.read import read

    project = app.project()
    read(project.lockfile_path)  # never commit a file that is not a lockfile
    with lease.hold(project.lockfile_path, owner="contentctl lock commit"):
        try:
            made, pushed = persist.commit_and_push(
                project.root, project.lockfile_path, message, push=push
            )
        except ContentctlError as exc:
            current = read(project.lockfile_path)
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


@click.command("recover")
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
    from contentctl import lease, persist
    from contentctl.lockfile.durable import write_atomic
    from contentctl.lockfile.merge import merge
    from contentctl.lockfile.read import read
    from contentctl.lockfile.text import dumps

    if push and not commit_it:
        raise ContentctlError("--push needs --commit")
    project = app.project()
    saved = read_side(folder / "contentctl.lock", "saved")
    if saved is None:
        raise ContentctlError(f"no saved contentctl.lock in {folder}")
    base_file = folder / persist.BASE_NAME
    base = read_side(base_file, "base") if base_file.exists() else None
    with lease.hold(project.lockfile_path, owner="contentctl lock recover"):
        current = read(project.lockfile_path)
        merged = merge(base, current, saved)
        write_atomic(project.lockfile_path, dumps(merged.lockfile.to_json()))
        report_conflicts(merged)
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


@click.command("retarget")
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
    from contentctl import lease, target
    from contentctl.lockfile.read import read
    from contentctl.lockfile.writer import LockfileWriter

    project = app.project()
    environ = app.api_environ()
    with lease.hold(project.lockfile_path, owner="contentctl lock retarget"):
        current = read(project.lockfile_path)
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
        LockfileWriter(project.lockfile_path, current).record_target(here)
    click.echo(f"{project.lockfile_path.name} now records its target: {target.describe(here)}.")


def _committed(project: Project) -> Lockfile:
    """The lockfile as the remote last had it (or as HEAD has it): a recovery's base."""
    from contentctl.git.revisions import lockfile_base
    from contentctl.lockfile.records import Lockfile
    from contentctl.lockfile.text import parse

    text = lockfile_base(project.root, project.lockfile_path)
    return parse(text, "the committed lockfile") if text else Lockfile.empty()

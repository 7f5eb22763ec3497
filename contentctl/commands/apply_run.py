"""Running an approved plan: execute it under the lease, then make its record last.

Signals are counted, not raised (see contentctl.interrupts); the lockfile is flushed,
committed and pushed even after an interrupt; what cannot be written or pushed is saved
for `contentctl lock recover`; with --push, checkpoints carry the write-ahead records to the
remote as the apply goes (see contentctl.checkpoint).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App
from contentctl.errors import ContentctlError, Interrupted

if TYPE_CHECKING:
    from contentctl import persist
    from contentctl.apply.executor import ApplyResult
    from contentctl.checkpoint import Checkpoint
    from contentctl.config import Project
    from contentctl.interrupts import Interrupts
    from contentctl.lockfile import Lockfile, LockfileWriter
    from contentctl.plan.diff import Plan
    from contentctl.validate.manifests import Manifests

BALANCE_WAIT = 5.0  # seconds an apply waits for the PowerPost balance it prints


@dataclass(frozen=True)
class RunOptions:
    """How `apply` runs an approved plan, from its command line."""

    parallelism: int | None
    resubmit_uncertain: bool
    no_wait: bool
    commit: bool
    push: bool
    checkpoint: bool


def adopt_checkpoint(app: App) -> str | None:
    """Take in the records of an apply that died outright, before planning."""
    from contentctl import lease, persist

    project = app.project()
    with lease.hold(project.lockfile_path, owner=owner()):
        adopted = persist.adopt_checkpoint(project.root, project.lockfile_path)
    if adopted and adopted != "nothing new":
        click.echo(
            "An earlier apply died before it could push contentctl.lock; taken from its "
            f"checkpoint: {adopted}.\n"
        )
    return adopted


def fold_journal(project: Project, running: RunOptions) -> None:
    """Records an apply journalled and did not fold into contentctl.lock before it died go
    into the file, under the lease, so that what git commits is whole."""
    from contentctl import lease, lockfile, persist

    if not lockfile.journal_path(project.lockfile_path).exists():
        return
    with lease.hold(project.lockfile_path, owner=owner()):
        if not lockfile.compact(project.lockfile_path):
            return  # another apply folded it meanwhile
    click.echo("Folded the records a stopped apply left in its journal into contentctl.lock.")
    if running.commit:
        made, _pushed = persist.commit_and_push(
            project.root,
            project.lockfile_path,
            "contentctl: the records of an apply that stopped before writing them [skip ci]",
            push=running.push,
        )
        if made:
            click.echo(f"Committed them as {made[:12]}.")


def persist_adopted(app: App, project: Project) -> None:
    from contentctl import persist
    from contentctl.git.checkpoints import drop_checkpoint

    made, _pushed = persist.commit_and_push(
        project.root,
        project.lockfile_path,
        "contentctl: the lockfile of an apply that died, from its checkpoint [skip ci]",
        push=True,
    )
    if made:
        click.echo(f"Committed the adopted records as {made[:12]} and pushed.")
    drop_checkpoint(project.root)


def _settle_checkpoint(
    project: Project, writer: LockfileWriter, checkpoints: Checkpoint, *, pushed: bool
) -> None:
    """Drop the checkpoint once the branch has everything; otherwise bring it up to date, so
    the next apply adopts what this one could not push."""
    from contentctl.git.checkpoints import drop_checkpoint, push_checkpoint

    if checkpoints.failed:
        click.echo(
            f"warning: no checkpoint reached the remote ({checkpoints.failed}): a runner "
            "killed outright during this apply would have left jobs the next apply does not "
            "know",
            err=True,
        )
        return
    if pushed:
        if checkpoints.pushes:
            drop_checkpoint(project.root)
        return
    with contextlib.suppress(ContentctlError):
        push_checkpoint(project.root, project.lockfile_path, writer.text())
        click.echo("The lockfile is also in its checkpoint: the next apply adopts it.", err=True)


def run_approved(
    app: App,
    project: Project,
    manifests: Manifests,
    lock: Lockfile,
    the_plan: Plan,
    options: RunOptions,
) -> None:
    """Run the plan under the lease the caller holds; report, persist, exit as it went."""
    from contentctl import persist
    from contentctl.interrupts import Interrupts
    from contentctl.report import apply_text

    with Interrupts() as interrupts:
        result, writer, checkpoints = _run(
            app, project, manifests, lock, the_plan, options, interrupts
        )
        _outputs(the_plan, writer.current)
        try:
            folders = [persist.recovery_folder(project.root, app.environ)]
            saved = persist.flush_or_save(writer, lock, folders)
            if saved is None and options.commit:
                saved = _commit(project, the_plan, result, options.push, writer, lock, folders)
            if checkpoints is not None:
                _settle_checkpoint(project, writer, checkpoints, pushed=saved is None)
            _github_apply(app, the_plan, result)
        finally:
            # Last, so it is what stays on screen (whatever error is reported after it).
            click.echo("")
            click.echo(apply_text.apply_summary(result, the_plan))
    if saved is not None:
        raise saved.error(app.environ)
    if result.interrupted:
        running = [f"{r.address} {r.step} (job {r.remote_id})" for r in result.still_running]
        replacing = _unfinished_replaces(writer.current)
        raise Interrupted(
            "interrupted; everything submitted is recorded in contentctl.lock"
            + (": still running remotely: " + "; ".join(running) if running else ""),
            hint="run `contentctl apply` again to collect these jobs without paying again"
            + (
                f"; it also finishes the replace of {', '.join(replacing)} (its plan says "
                "what is left to regenerate, and its cost)"
                if replacing
                else ""
            ),
        )
    if options.no_wait and not result.failures and not result.skipped:
        return  # jobs left running were asked for; the summary says how to collect them
    if not result.ok:
        raise ContentctlError("apply did not finish everything", hint="see the summary above")


def _unfinished_replaces(current: Lockfile) -> list[str]:
    """Resources an interrupted --replace has steps left to regenerate in."""
    from contentctl.plan.steps import REPLACING_HASH

    return [
        address
        for address, record in sorted(current.resources.items())
        if any(s.input_hash == REPLACING_HASH for s in record.steps.values())
    ]


def _outputs(the_plan: Plan, current: Lockfile) -> None:
    """What this apply made or changed; the other resources are one `contentctl show` away."""
    from contentctl.report import records

    touched = [
        c.address
        for c in the_plan.changes
        if c.running and c.action not in ("forget", "delete") and c.address in current.resources
    ]
    if not touched:
        return
    click.echo("\nOutputs:\n")
    click.echo(records.outputs(current, touched))
    others = len(current.resources) - len(touched)
    if others:
        click.echo(
            f"\n{others} other resource{'' if others == 1 else 's'} unchanged: "
            "`contentctl show` prints everything the lockfile records."
        )


def _commit(
    project: Project,
    the_plan: Plan,
    result: ApplyResult,
    push: bool,
    writer: LockfileWriter,
    base: Lockfile,
    folders: list[Path],
) -> persist.Saved | None:
    """Commit the lockfile alone, with a message that says what was done; push if asked.

    When that fails, the lockfile is saved for recovery (returned); if even that fails,
    the error is raised."""
    from contentctl import persist

    lines = commit_message(the_plan, result)
    try:
        made, pushed = persist.commit_and_push(
            project.root, project.lockfile_path, "\n".join(lines), push=push
        )
    except ContentctlError as exc:
        saved = persist.save_for_recovery(writer.current, base, folders, exc.message, push=push)
        if saved is None:
            raise
        return saved
    if made:
        click.echo(
            f"\nCommitted contentctl.lock as {made[:12]}" + (" and pushed." if push else ".")
        )
    if pushed and pushed != made:
        click.echo(f"The remote had moved: merged the lockfiles and pushed {pushed[:12]}.")
    return None


VERBS = (
    ("create", "created"),
    ("update", "updated"),
    ("replace", "replaced"),
    ("delete", "deleted"),
    ("forget", "forgotten"),
    ("move", "moved"),
)


def commit_message(the_plan: Plan, result: ApplyResult) -> list[str]:
    """The lockfile commit's lines: what was done, counted by what happened, not by what was
    planned (a failed update did not update anything)."""
    unfinished = {
        **{a: "skipped" for a in result.skipped},
        **{a: "not started" for a in result.not_started},
        **{r.address: "still running" for r in result.still_running},
        **{f.address: "failed" for f in result.failures},
    }
    done: dict[str, int] = {}
    for change in the_plan.changes:
        if change.moved_from:
            done["move"] = done.get("move", 0) + 1
        if change.action != "no-op" and change.address not in unfinished:
            done[change.action] = done.get(change.action, 0) + 1
    outcomes = [unfinished[c.address] for c in the_plan.changes if c.address in unfinished]
    parts = [f"{done[a]} {verb}" for a, verb in VERBS if done.get(a)]
    parts += [
        f"{outcomes.count(o)} {o}"
        for o in ("failed", "skipped", "still running", "not started")
        if o in outcomes
    ]
    title = "contentctl apply" + (" --generate" if the_plan.options.generate else "")
    title += " (interrupted)" if result.interrupted else ""
    head = ", ".join(parts) or "nothing done"
    lines = [f"{title}: {head}; {result.credits_used:g} credits [skip ci]", ""]
    for change in the_plan.changes:
        if change.action != "no-op" or change.moved_from:
            steps = ", ".join(s.name for s in change.running) or change.action
            outcome = f": {unfinished[change.address]}" if change.address in unfinished else ""
            lines.append(f"- {change.address}: {change.action} ({steps}){outcome}")
    if result.failures:
        lines += ["", "Failed: " + ", ".join(f.address for f in result.failures)]
    if result.still_running:
        lines += ["", "Still running: " + ", ".join(r.address for r in result.still_running)]
    return lines


def _github_apply(app: App, the_plan: Plan, result: ApplyResult) -> None:
    from contentctl.report import apply_text, github_actions

    if not github_actions.active(app.environ):
        return
    summary = apply_text.apply_summary(result, the_plan)
    review = apply_text.needs_review(result, the_plan)
    note = ""
    if review:
        from contentctl.report.markdown_safe import code

        note = (
            "**Needs review** (not published: their content was made in this run, so nobody "
            "has reviewed it; a later apply publishes it while it is unchanged): "
            + ", ".join(code(h.address) for h in review)
            + "\n\n"
        )
    github_actions.append_summary(app.environ, f"### contentctl apply\n\n{note}```\n{summary}\n```")
    github_actions.set_outputs(
        app.environ,
        applied=result.ok,
        credits_used=f"{result.credits_used:g}",
        needs_review=" ".join(h.address for h in review),
    )


def _run(
    app: App,
    project: Project,
    manifests: Manifests,
    lock: Lockfile,
    the_plan: Plan,
    options: RunOptions,
    interrupts: Interrupts,
) -> tuple[ApplyResult, LockfileWriter, Checkpoint | None]:
    import asyncio

    from contentctl import lockfile, target
    from contentctl.checkpoint import Checkpoint
    from contentctl.git.checkpoints import push_checkpoint
    from contentctl.git.working_tree import dirty_files, head_commit
    from contentctl.providers import check_credentials

    needed = providers_needed(the_plan)
    environ = app.api_environ()
    check_credentials(environ, needed)
    writer = lockfile.LockfileWriter(project.lockfile_path, lock, journal=True)
    if needed:
        here = target.current(project, environ, needed, sandbox=app.sandbox)
        writer.set_target(target.check(lock, here))
    commit = head_commit(project.root)
    dirty = dirty_files(
        project.root, ignore=(f"{project.out_dir}/", ".contentctl/", "contentctl.lock")
    )
    if dirty:
        shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        click.echo(
            f"warning: applying uncommitted changes ({shown}); the lockfile records "
            f"commit {commit[:12] if commit else '(none)'}, which does not have them",
            err=True,
        )
    checkpoints = (
        Checkpoint(writer, lambda text: push_checkpoint(project.root, project.lockfile_path, text))
        if options.checkpoint
        else None
    )
    click.echo("")
    result = asyncio.run(
        _execute(
            commit,
            app,
            project,
            manifests,
            the_plan,
            writer,
            needed,
            environ,
            options,
            interrupts,
            checkpoints,
        )
    )
    return result, writer, checkpoints


async def _execute(
    commit: str | None,
    app: App,
    project: Project,
    manifests: Manifests,
    the_plan: Plan,
    writer: LockfileWriter,
    needed: set[str],
    environ: Mapping[str, str],
    options: RunOptions,
    interrupts: Interrupts,
    checkpoints: Checkpoint | None,
) -> ApplyResult:
    import asyncio

    from contentctl.apply.executor import Executor
    from contentctl.providers import open_providers
    from contentctl.report import progress

    view: progress.Plain | progress.Live = (
        progress.Live(the_plan, sys.stdout, style=app.style)
        if sys.stdout.isatty()
        else progress.Plain(click.echo, the_plan)
    )
    async with open_providers(
        project, environ, needed, transport=app.transport(project)
    ) as providers:
        executor = Executor(
            project,
            manifests.graph,
            the_plan,
            writer,
            providers,
            parallelism=options.parallelism or project.parallelism,
            polling=app.polling(project, options.no_wait),
            on_event=view.event,
            resubmit_uncertain=options.resubmit_uncertain,
            source_commit=commit,
            checkpoint=checkpoints,
        )
        loop = asyncio.get_running_loop()

        def stop(count: int) -> None:
            if count == 1:
                click.echo(
                    "\nStopping: nothing new is sent; requests in flight get their answer "
                    "and are recorded; jobs running remotely stay recorded. Interrupt again "
                    "to stop at once.",
                    err=True,
                )
            else:
                click.echo("\nStopping at once.", err=True)
            executor.stop(at_once=count > 1)

        def heard(count: int) -> None:
            loop.call_soon_threadsafe(stop, count)

        interrupts.on_signal = heard
        if interrupts.count:
            stop(interrupts.count)
        if providers.powerpost is not None and not executor.stopping:
            # Informational: never worth waiting out a rate limit or an outage for.
            # asyncio.TimeoutError: the builtin TimeoutError only from Python 3.11 on.
            with contextlib.suppress(ContentctlError, asyncio.TimeoutError):
                balance = await asyncio.wait_for(providers.powerpost.credits(), BALANCE_WAIT)
                click.echo(f"PowerPost balance: {balance:g} credits.")
        ticker = asyncio.create_task(view.run())
        compactor = asyncio.create_task(_compact_when_quiet(writer))
        try:
            return await executor.run()
        finally:
            interrupts.on_signal = None
            ticker.cancel()
            compactor.cancel()


async def _compact_when_quiet(writer: LockfileWriter) -> None:
    """While jobs run, keep contentctl.lock itself up to date once the apply goes quiet."""
    import asyncio

    while True:
        await asyncio.sleep(writer.QUIET_SECONDS / 4)
        writer.compact_if_quiet()


def providers_needed(the_plan: Plan) -> set[str]:
    from contentctl.kinds import KINDS

    return {
        KINDS[c.kind].provider
        for c in the_plan.changes
        if (c.action in ("create", "update", "replace") and c.running) or c.action == "delete"
    }


def owner() -> str:
    return os.environ.get("GITHUB_ACTOR") or os.environ.get("USER") or "contentctl"

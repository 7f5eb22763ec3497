"""`contentctl plan` and `contentctl apply`: what would change, then exactly that."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from contentctl.commands.context import App, pass_app, variable_options
from contentctl.errors import ApprovalError, ContentctlError, Interrupted

if TYPE_CHECKING:
    from contentctl import persist
    from contentctl.apply import ApplyResult
    from contentctl.checkpoint import Checkpoint
    from contentctl.config import Project
    from contentctl.interrupts import Interrupts
    from contentctl.lockfile import Lockfile, LockfileWriter
    from contentctl.plan import Plan
    from contentctl.plan.diff import PlanOptions
    from contentctl.validate.manifests import Manifests

F = TypeVar("F", bound=Callable[..., Any])
BALANCE_WAIT = 5.0  # seconds an apply waits for the PowerPost balance it prints


def plan_options(command: F) -> F:
    """What to plan: selection, forced regeneration, republishing."""
    for decorator in (
        click.option(
            "--changed-since",
            metavar="REF",
            help="Plan only resources whose manifests, templates, variables or assets changed "
            "since git revision REF, and what depends on them.",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="PATTERN",
            help="Leave out resources matching an address glob or a label "
            "(campaign=launch); repeatable.",
        ),
        click.option(
            "--select",
            multiple=True,
            metavar="PATTERN",
            help="Plan only resources matching an address glob (post/launch.*) or a "
            "label (locale=fr), with what they depend on; repeatable.",
        ),
        click.option(
            "--replace",
            multiple=True,
            metavar="ADDRESS",
            help="Regenerate this resource even though nothing changed; repeatable.",
        ),
        click.option(
            "--allow-republish",
            is_flag=True,
            help="Allow changes to published posts (creates and publishes a new post).",
        ),
    ):
        command = decorator(command)
    return command


def _options(
    allow_republish: bool,
    replace: tuple[str, ...],
    select: tuple[str, ...],
    exclude: tuple[str, ...],
) -> PlanOptions:
    from contentctl.plan.diff import PlanOptions

    return PlanOptions(allow_republish, replace, select, exclude)


def make(
    app: App, options: PlanOptions, changed_since: str | None = None
) -> tuple[Project, Manifests, Lockfile, Plan]:
    from dataclasses import replace

    from contentctl import lockfile
    from contentctl.plan import make_plan

    project = app.project()
    manifests = app.manifests(project)
    unknown = [a for a in options.replace if a not in manifests.graph.resources]
    if unknown:
        raise ContentctlError(f"--replace: no such resource: {', '.join(unknown)}")
    lock = lockfile.read(project.lockfile_path)
    if changed_since:
        from contentctl import git
        from contentctl.plan.changed import affected

        touched = affected(
            project, manifests.graph, lock, git.changed_since(project.root, changed_since)
        )
        options = replace(options, limit_to=None if touched is None else tuple(sorted(touched)))
    return project, manifests, lock, make_plan(project, manifests.graph, lock, options)


def _variables(app: App) -> dict[str, Any]:
    overrides = app.overrides
    return {"env": overrides.env, "items": [list(i) for i in overrides.items]}


@click.command()
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 when there are changes, 1 on error.",
)
@click.option("--diff", is_flag=True, help="Show each step and the field changes behind it.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="json: versioned (schemas/plan.schema.json); markdown: for pull requests.",
)
@click.option(
    "-out",
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan; `contentctl apply FILE` applies exactly it.",
)
@plan_options
@variable_options
@pass_app
@click.pass_context
def plan(
    ctx: click.Context,
    app: App,
    detailed_exitcode: bool,
    diff: bool,
    output_format: str,
    out: Path | None,
    allow_republish: bool,
    replace: tuple[str, ...],
    select: tuple[str, ...],
    exclude: tuple[str, ...],
    changed_since: str | None,
) -> None:
    """Show which API calls apply would make, why, and what they would cost.

    Compares step hashes with the lockfile; makes no API call and needs no API key.

    \b
    Examples:
      contentctl plan --diff
      contentctl plan --select 'post/launch.*' --select locale=fr
      contentctl plan -out plan.json && contentctl apply plan.json
    """
    from contentctl.plan import file as plan_file
    from contentctl.report import markdown, text

    options = _options(allow_republish, replace, select, exclude)
    project, manifests, _lock, the_plan = make(app, options, changed_since)
    data = plan_file.to_json(the_plan, manifests.graph, _variables(app))
    if out is not None:
        plan_file.save(out, data)
    _github_plan(app, project, the_plan, out)
    if output_format == "json":
        import json

        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        click.echo(markdown.plan(the_plan), nl=False)
    else:
        click.echo(text.plan(the_plan, app.style, diff=diff))
        if out is not None:
            click.echo(f"\nSaved the plan to {out}. Apply exactly it with: contentctl apply {out}")
    if detailed_exitcode and the_plan.has_changes:
        ctx.exit(2)


@click.command()
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=None,
    help="Jobs in flight at once (default: contentctl.yaml, else 4).",
)
@click.option(
    "--max-credits",
    type=click.FloatRange(min=0),
    default=None,
    help="Refuse a plan estimated above this many credits (also spec.budget).",
)
@click.option(
    "--allow-publish",
    is_flag=True,
    help="Let this run publish posts (needed when nobody can be asked).",
)
@click.option(
    "--resubmit-uncertain",
    is_flag=True,
    help="Submit again paid jobs whose earlier submission was interrupted and cannot "
    "be reconciled (may be charged twice).",
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="Submit jobs and record them without waiting; a later apply collects them.",
)
@click.option("--diff", is_flag=True, help="Show each step and its field changes.")
@click.option(
    "--commit",
    is_flag=True,
    help="Commit contentctl.lock (alone) when it changed, marked [skip ci].",
)
@click.option("--push", is_flag=True, help="With --commit: push the commit to origin.")
@click.option(
    "--checkpoint/--no-checkpoint",
    default=True,
    show_default=True,
    help="With --push: push the lockfile to refs/contentctl/checkpoint/BRANCH before each "
    "wave of requests, so a runner killed outright loses no job.",
)
@plan_options
@variable_options
@pass_app
def apply(
    app: App,
    plan_file: Path | None,
    auto_approve: bool,
    parallelism: int | None,
    max_credits: float | None,
    allow_publish: bool,
    resubmit_uncertain: bool,
    no_wait: bool,
    diff: bool,
    allow_republish: bool,
    replace: tuple[str, ...],
    select: tuple[str, ...],
    exclude: tuple[str, ...],
    changed_since: str | None,
    commit: bool,
    push: bool,
    checkpoint: bool,
) -> None:
    """Make the API calls of the plan, recording each step in contentctl.lock.

    With PLAN_FILE (from `plan -out`), apply exactly that reviewed plan, or refuse if it
    is stale. Completed steps are never repeated; jobs submitted by an interrupted run are
    collected, not paid for again. Run it again to retry what failed.

    The plan you approve is what runs: if contentctl.lock changes while you decide
    (another apply finished), apply plans again under its lease and asks again when the
    plan is not the same. Ctrl-C (or SIGTERM) stops cleanly: nothing new is sent, what is
    in flight is recorded, jobs running remotely are kept, and with --commit the lockfile
    is still committed (and pushed). A second Ctrl-C stops at once.

    \b
    Examples:
      contentctl apply                      # shows the plan, asks
      contentctl apply plan.json            # exactly a reviewed plan
      contentctl apply --auto-approve --select 'post/launch.*' --max-credits 50
      contentctl apply --auto-approve --commit --push   # in CI, on merge
    """
    from contentctl import lease
    from contentctl.report import text

    if push and not commit:
        raise ContentctlError("--push needs --commit")
    lockfile_path = app.project().lockfile_path
    lease.check(lockfile_path)  # before any work: another apply is running here
    checkpoint = checkpoint and push
    adopted = _adopt_checkpoint(app) if checkpoint else None
    options = _options(allow_republish, replace, select, exclude)
    if plan_file is not None:
        project, manifests, lock, the_plan = _saved(app, plan_file)
    else:
        project, manifests, lock, the_plan = make(app, options, changed_since)
    click.echo(text.plan(the_plan, app.style, diff=diff))
    if not the_plan.has_changes:
        if adopted:  # the records the dead apply left still have to reach the branch
            _persist_adopted(app, project)
        return
    gate = _Gate(project, max_credits, allow_publish or project.allow_publish, auto_approve)
    gate.check(the_plan)
    if plan_file is None:
        _approve(auto_approve)
    gate.publishing(the_plan)
    with lease.hold(project.lockfile_path, owner=_owner()):
        from contentctl import lockfile

        now = lockfile.read(project.lockfile_path)
        if now != lock:
            # Another apply (or a git pull) changed the lockfile while this one waited.
            if plan_file is not None:
                from contentctl.plan.file import StalePlanError

                raise StalePlanError(
                    "saved plan is stale: contentctl.lock changed while apply waited for "
                    f"the lease (serial {lock.serial} then, {now.serial} now)",
                    hint="make a new plan with `contentctl plan -out FILE`, review it, "
                    "and apply that",
                )
            project, manifests, lock, again = make(app, options, changed_since)
            if _changes(again, manifests) != _changes(the_plan, manifests):
                click.echo(
                    "\ncontentctl.lock changed while this apply waited (another apply "
                    f"finished?): serial {the_plan.serial} then, {lock.serial} now. "
                    "Planned again:\n"
                )
                click.echo(text.plan(again, app.style, diff=diff))
                if not again.has_changes:
                    return
                gate.check(again)
                if not auto_approve:
                    _approve(False)
                gate.publishing(again)
            the_plan = again
        _apply_under_lease(
            app,
            project,
            manifests,
            lock,
            the_plan,
            parallelism,
            resubmit_uncertain,
            no_wait,
            commit,
            push,
            checkpoint,
        )


def _adopt_checkpoint(app: App) -> str | None:
    """Take in the records of an apply that died outright, before planning."""
    from contentctl import lease, persist

    project = app.project()
    with lease.hold(project.lockfile_path, owner=_owner()):
        adopted = persist.adopt_checkpoint(project.root, project.lockfile_path)
    if adopted and adopted != "nothing new":
        click.echo(
            "An earlier apply died before it could push contentctl.lock; taken from its "
            f"checkpoint: {adopted}.\n"
        )
    return adopted


def _persist_adopted(app: App, project: Project) -> None:
    from contentctl import git, persist

    made, _pushed = persist.commit_and_push(
        project.root,
        project.lockfile_path,
        "contentctl: the lockfile of an apply that died, from its checkpoint [skip ci]",
        push=True,
    )
    if made:
        click.echo(f"Committed the adopted records as {made[:12]} and pushed.")
    git.drop_checkpoint(project.root)


def _settle_checkpoint(
    project: Project, writer: LockfileWriter, checkpoints: Checkpoint, *, pushed: bool
) -> None:
    """Drop the checkpoint once the branch has everything; otherwise bring it up to date, so
    the next apply adopts what this one could not push."""
    from contentctl import git

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
            git.drop_checkpoint(project.root)
        return
    with contextlib.suppress(ContentctlError):
        git.push_checkpoint(project.root, project.lockfile_path, writer.text())
        click.echo("The lockfile is also in its checkpoint: the next apply adopts it.", err=True)


class _Gate:
    """What must hold before anything is sent: no refused change, the budget, publishing."""

    def __init__(
        self, project: Project, max_credits: float | None, allowed: bool, auto_approve: bool
    ) -> None:
        self.limit = max_credits if max_credits is not None else project.max_credits
        self.allowed = allowed
        self.asked: set[str] = set()

    def check(self, the_plan: Plan) -> None:
        if the_plan.blocked:
            raise ContentctlError(
                "the plan contains changes that are refused (see above)",
                hint="--allow-republish, or spec.removed in contentctl.yaml",
            )
        if self.limit is not None and the_plan.credits > self.limit:
            raise ContentctlError(
                f"the plan is estimated at {the_plan.credits:g} credits, over the budget of "
                f"{self.limit:g}",
                hint="apply part of it with --select, or raise --max-credits / "
                "spec.budget.max_credits",
            )

    def publishing(self, the_plan: Plan) -> None:
        """Publishing cannot be undone: say so, and get an explicit yes for it (once)."""
        names = [c.address for c in the_plan.publishes if c.address not in self.asked]
        if not names or self.allowed:
            return
        _approve_publishing(", ".join(names))
        self.asked.update(names)


def _changes(the_plan: Plan, manifests: Manifests) -> Any:
    from contentctl.plan import file as plan_file

    return plan_file.to_json(the_plan, manifests.graph)["changes"]


def _apply_under_lease(
    app: App,
    project: Project,
    manifests: Manifests,
    lock: Lockfile,
    the_plan: Plan,
    parallelism: int | None,
    resubmit_uncertain: bool,
    no_wait: bool,
    commit: bool,
    push: bool,
    checkpoint: bool,
) -> None:
    from contentctl import persist
    from contentctl.interrupts import Interrupts
    from contentctl.report import text

    with Interrupts() as interrupts:
        result, writer, checkpoints = _run(
            app,
            project,
            manifests,
            lock,
            the_plan,
            parallelism,
            resubmit_uncertain,
            no_wait,
            interrupts,
            checkpoint,
        )
        click.echo("")
        click.echo(text.apply_summary(result, the_plan))
        touched = [
            c.address
            for c in the_plan.changes
            if c.action not in ("forget", "delete") and c.address in writer.current.resources
        ]
        if touched:
            click.echo("\nOutputs:\n")
            click.echo(text.outputs(writer.current, touched))
        folders = [persist.recovery_folder(project.root, app.environ)]
        saved = persist.flush_or_save(writer, lock, folders)
        if saved is None and commit:
            saved = _commit(project, the_plan, result, push, writer, lock, folders)
        if checkpoints is not None:
            _settle_checkpoint(project, writer, checkpoints, pushed=saved is None)
        _github_apply(app, the_plan, result)
    if saved is not None:
        raise saved.error(app.environ)
    if result.interrupted:
        running = [f"{r.address} {r.step} (job {r.remote_id})" for r in result.still_running]
        raise Interrupted(
            "interrupted; everything submitted is recorded in contentctl.lock"
            + (": still running remotely: " + "; ".join(running) if running else ""),
            hint="run `contentctl apply` again to collect these jobs without paying again",
        )
    if no_wait and not result.failures and not result.skipped:
        return  # jobs left running were asked for; the summary says how to collect them
    if not result.ok:
        raise ContentctlError("apply did not finish everything", hint="see the summary above")


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

    counts = the_plan.counts()
    head = ", ".join(
        f"{counts[a]} {verb}"
        for a, verb in (
            ("create", "created"),
            ("update", "updated"),
            ("replace", "replaced"),
            ("delete", "deleted"),
            ("forget", "forgotten"),
            ("move", "moved"),
        )
        if counts.get(a)
    )
    title = "contentctl apply" + (" (interrupted)" if result.interrupted else "")
    lines = [f"{title}: {head}; {result.credits_used:g} credits [skip ci]", ""]
    for change in the_plan.changes:
        if change.action != "no-op" or change.moved_from:
            steps = ", ".join(s.name for s in change.running) or change.action
            lines.append(f"- {change.address}: {change.action} ({steps})")
    if result.failures:
        lines += ["", "Failed: " + ", ".join(f.address for f in result.failures)]
    if result.still_running:
        lines += ["", "Still running: " + ", ".join(r.address for r in result.still_running)]
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


def _github_plan(app: App, project: Project, the_plan: Plan, out: Path | None) -> None:
    from contentctl.report import github_actions, markdown

    if not github_actions.active(app.environ):
        return
    body = markdown.plan(the_plan)
    github_actions.append_summary(app.environ, body)
    comment = github_actions.comment_path(project.state_dir)
    comment.parent.mkdir(parents=True, exist_ok=True)
    comment.write_text(body, encoding="utf-8")
    github_actions.set_outputs(
        app.environ,
        has_changes=the_plan.has_changes,
        credits=f"{the_plan.credits:g}",
        plan_file=str(out) if out else "",
        comment_file=str(comment),
    )


def _github_apply(app: App, the_plan: Plan, result: ApplyResult) -> None:
    from contentctl.report import github_actions, text

    if not github_actions.active(app.environ):
        return
    summary = text.apply_summary(result, the_plan)
    github_actions.append_summary(app.environ, f"### contentctl apply\n\n```\n{summary}\n```")
    github_actions.set_outputs(
        app.environ, applied=result.ok, credits_used=f"{result.credits_used:g}"
    )


def _saved(app: App, path: Path) -> tuple[Project, Manifests, Lockfile, Plan]:
    from contentctl.plan import file as plan_file

    saved = plan_file.load(path)
    variables = saved["options"].get("variables") or {}
    ctx = click.get_current_context()
    ctx.meta["env_name"] = variables.get("env")
    ctx.meta["var_files"] = tuple(v for k, v in variables.get("items", []) if k == "file")
    ctx.meta["var_items"] = tuple(v for k, v in variables.get("items", []) if k == "var")
    project, manifests, lock, the_plan = make(app, plan_file.options_of(saved))
    current = plan_file.to_json(the_plan, manifests.graph, _variables(app))
    plan_file.check_fresh(saved, lock, manifests.graph, current)
    return project, manifests, lock, the_plan


def _run(
    app: App,
    project: Project,
    manifests: Manifests,
    lock: Lockfile,
    the_plan: Plan,
    parallelism: int | None,
    resubmit_uncertain: bool,
    no_wait: bool,
    interrupts: Interrupts,
    checkpoint: bool,
) -> tuple[ApplyResult, LockfileWriter, Checkpoint | None]:
    import asyncio

    from contentctl import git, lockfile, target
    from contentctl.checkpoint import Checkpoint
    from contentctl.providers import check_credentials

    needed = providers_needed(the_plan)
    environ = app.api_environ()
    check_credentials(environ, needed)
    writer = lockfile.LockfileWriter(project.lockfile_path, lock)
    if needed:
        here = target.current(project, environ, needed, sandbox=app.sandbox)
        writer.set_target(target.check(lock, here))
    commit = git.head_commit(project.root)
    dirty = git.dirty_files(
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
        Checkpoint(
            writer, lambda text: git.push_checkpoint(project.root, project.lockfile_path, text)
        )
        if checkpoint
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
            parallelism or project.parallelism,
            resubmit_uncertain,
            no_wait,
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
    parallelism: int,
    resubmit_uncertain: bool,
    no_wait: bool,
    interrupts: Interrupts,
    checkpoints: Checkpoint | None,
) -> ApplyResult:
    import asyncio

    from contentctl.apply import Executor
    from contentctl.providers import open_providers
    from contentctl.report import progress

    view: progress.Plain | progress.Live = (
        progress.Live(the_plan, sys.stdout, style=app.style)
        if sys.stdout.isatty()
        else progress.Plain(click.echo)
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
            parallelism=parallelism,
            polling=app.polling(project, no_wait),
            on_event=view.event,
            resubmit_uncertain=resubmit_uncertain,
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
            with contextlib.suppress(ContentctlError, TimeoutError):
                balance = await asyncio.wait_for(providers.powerpost.credits(), BALANCE_WAIT)
                click.echo(f"PowerPost balance: {balance:g} credits.")
        ticker = asyncio.create_task(view.run())
        try:
            return await executor.run()
        finally:
            interrupts.on_signal = None
            ticker.cancel()


def providers_needed(the_plan: Plan) -> set[str]:
    from contentctl.plan.steps import PROVIDER_OF_KIND

    return {
        PROVIDER_OF_KIND[c.kind]
        for c in the_plan.changes
        if (c.action in ("create", "update", "replace") and c.running) or c.action == "delete"
    }


def _approve(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ApprovalError(
            "apply needs approval, and there is no terminal to ask on",
            hint="review the plan above and pass --auto-approve",
        )
    answer = click.prompt(
        "\nDo you want to apply? Only 'yes' will be accepted", default="", show_default=False
    )
    if answer.strip() != "yes":
        raise ApprovalError("apply cancelled")


def _approve_publishing(names: str) -> None:
    if not sys.stdin.isatty():
        raise ApprovalError(
            f"the plan publishes {names}, and publishing cannot be undone",
            hint="pass --allow-publish (or set spec.allow_publish) to publish "
            "from a non-interactive run",
        )
    answer = click.prompt(
        f"\nThis publishes {names} to the public. Type 'publish' to go on",
        default="",
        show_default=False,
    )
    if answer.strip() != "publish":
        raise ApprovalError("publishing not approved; nothing was applied")


def _owner() -> str:
    return os.environ.get("GITHUB_ACTOR") or os.environ.get("USER") or "contentctl"

"""`contentctl plan` and `contentctl apply`: what would change, then exactly that."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from contentctl.commands.context import (
    App,
    chosen_format,
    json_option,
    pass_app,
    variable_options,
)
from contentctl.errors import ApprovalError, ContentctlError, StalePlanError

if TYPE_CHECKING:
    from contentctl.config import Project
    from contentctl.lockfile import Lockfile
    from contentctl.plan.diff import Plan, PlanOptions
    from contentctl.validate.manifests import Manifests

F = TypeVar("F", bound=Callable[..., Any])


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
            "(campaign=launch); repeatable: whatever matches any one is left out. A "
            "PATTERN that matches nothing is an error.",
        ),
        click.option(
            "--select",
            multiple=True,
            metavar="PATTERN",
            help="Plan only resources matching an address glob (post/launch.*) or a "
            "label (locale=fr), with what they depend on. Repeated, it narrows: labels "
            "of different keys must all match, while values of one key, and address "
            "globs, are alternatives (--select locale=fr --select locale=de --select "
            "product=widgets: French or German widgets). Campaign instances carry their "
            "variables as labels. A PATTERN that matches nothing is an error.",
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
        click.option(
            "--generate",
            is_flag=True,
            help="Only what is private and reversible: captions, images, videos, renders, "
            "post drafts, for review in a pull request. Publishing, SCHEDULED schedules, "
            "deletes and updates of existing objects wait for the apply after the merge.",
        ),
    ):
        command = decorator(command)
    return command


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """nan compares false with every number: a budget of nan would be no budget."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of credits", ctx=ctx, param=param)
    return value


def _options(
    allow_republish: bool,
    replace: tuple[str, ...],
    select: tuple[str, ...],
    exclude: tuple[str, ...],
    generate: bool = False,
) -> PlanOptions:
    from contentctl.plan.diff import PlanOptions

    return PlanOptions(allow_republish, replace, select, exclude, generate=generate)


def make(
    app: App, options: PlanOptions, changed_since: str | None = None, *, whole_lock: bool = True
) -> tuple[Project, Manifests, Lockfile, Plan]:
    """``whole_lock=False``: the lockfile from its digest where it can (plan/lock_digest.py),
    for a command that only shows the plan."""
    from dataclasses import replace

    from contentctl import lockfile
    from contentctl.plan import lock_digest
    from contentctl.plan.diff import make_plan

    project = app.project()
    manifests = app.manifests(project)
    unknown = [a for a in options.replace if a not in manifests.graph.resources]
    if unknown:
        raise ContentctlError(f"--replace: no such resource: {', '.join(unknown)}")
    path = project.lockfile_path
    lock = lockfile.read(path) if whole_lock else lock_digest.read(path, project.state_dir)
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
@json_option
@click.option(
    "-o",
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
    generate: bool,
) -> None:
    """Show which API calls apply would make, why, and what they would cost.

    Compares step hashes with the lockfile; makes no API call and needs no API key.

    \b
    Examples:
      contentctl plan --diff
      contentctl plan --select 'post/launch.*' --select locale=fr   # French posts
      contentctl plan -o plan.json && contentctl apply plan.json
      contentctl plan --json | jq .summary.credits
      contentctl plan --generate        # what a pull request's generate stage would do
    """
    from contentctl import lockfile
    from contentctl.plan import file as plan_file
    from contentctl.report import markdown, text

    output_format = chosen_format(output_format)
    options = _options(allow_republish, replace, select, exclude, generate)
    project, manifests, lock, the_plan = make(app, options, changed_since, whole_lock=False)
    if lockfile.journal_path(project.lockfile_path).exists():
        click.echo(
            "warning: contentctl.lock is behind the records a stopped (or running) apply left "
            "in .contentctl/: this plan counts them; `contentctl apply` or `contentctl lock "
            "commit` writes them into contentctl.lock before you commit it",
            err=True,
        )
    # The versioned JSON (with a digest of every manifest) only when it is shown or saved.
    data = (
        plan_file.to_json(the_plan, manifests.graph, _variables(app))
        if out is not None or output_format == "json"
        else None
    )
    if out is not None and data is not None:
        plan_file.save(out, data)
    generated = _generated(project, manifests, lock, the_plan, changed_since)
    _github_plan(app, project, the_plan, out, generated)
    if output_format == "json":
        import json

        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        click.echo(markdown.plan(the_plan, markdown.BUDGET - len(generated)) + generated, nl=False)
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
    callback=_finite,
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
    generate: bool,
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

    With `spec.publishing: reviewed` in contentctl.yaml, apply publishes only content an
    earlier run generated (a pull request's `apply --generate`) whose inputs have not changed
    since; what it has to generate itself stays a draft and is reported as needing review
    (exit 0), for a later apply to publish.

    \b
    Examples:
      contentctl apply                      # shows the plan, asks
      contentctl apply plan.json            # exactly a reviewed plan
      contentctl apply --auto-approve --select 'post/launch.*' --max-credits 100
      contentctl apply --auto-approve --commit --push   # in CI, on merge
      contentctl apply --generate --auto-approve        # drafts to review, nothing public
    """
    from contentctl import lease
    from contentctl.commands import apply_run
    from contentctl.report import text

    if push and not commit:
        raise ContentctlError("--push needs --commit")
    _check_combinations(
        plan_file,
        generate=generate,
        allow_publish=allow_publish,
        allow_republish=allow_republish,
        planned=bool(replace or select or exclude or changed_since),
    )
    lease.check(app.project().lockfile_path)  # before any work: another apply runs here
    running = apply_run.RunOptions(
        parallelism, resubmit_uncertain, no_wait, commit, push, checkpoint and push
    )
    adopted = apply_run.adopt_checkpoint(app) if running.checkpoint else None
    options = _options(allow_republish, replace, select, exclude, generate)
    if plan_file is not None:
        project, manifests, lock, the_plan = _saved(app, plan_file)
    else:
        project, manifests, lock, the_plan = make(app, options, changed_since)
    click.echo(text.plan(the_plan, app.style, diff=diff))
    if not the_plan.has_changes:
        # A killed apply may have left its last records in the journal (the plan read them):
        # they go into contentctl.lock itself now, and with --commit into the branch.
        apply_run.fold_journal(project, running)
        if adopted:  # the records the dead apply left still have to reach the branch
            apply_run.persist_adopted(app, project)
        return
    # In the reviewed mode the pull request's review is the approval to publish: the plan
    # publishes only content generated before this run (held back otherwise).
    reviewed = project.publishing == "reviewed"
    gate = _Gate(project, max_credits, allow_publish or project.allow_publish or reviewed)
    gate.check(the_plan)
    if plan_file is None:
        _approve(auto_approve)
    gate.publishing(the_plan)
    with lease.hold(project.lockfile_path, owner=apply_run.owner()):
        planned = _plan_under_lease(
            app, (project, manifests, lock, the_plan), plan_file, options, changed_since
        )
        if planned[3] is the_plan or _approve_again(
            app, planned, the_plan, gate, auto_approve, diff
        ):
            apply_run.run_approved(app, *planned, running)


Planned = tuple["Project", "Manifests", "Lockfile", "Plan"]


def _plan_under_lease(
    app: App,
    planned: Planned,
    plan_file: Path | None,
    options: PlanOptions,
    changed_since: str | None,
) -> Planned:
    """The plan to run now that this apply holds the lease: the approved one when the
    lockfile did not change while it waited, else planned again. A saved plan is stale."""
    from contentctl import lockfile

    project, _manifests, lock, _plan = planned
    if lock.source is not None and lockfile.fingerprint(project.lockfile_path) == lock.source:
        return planned  # the same bytes: not parsed again
    now = lockfile.read(project.lockfile_path)
    if now == lock:
        return planned
    # Another apply (or a git pull) changed the lockfile while this one waited.
    if plan_file is not None:
        raise StalePlanError(
            "saved plan is stale: contentctl.lock changed while apply waited for "
            f"the lease (serial {lock.serial} then, {now.serial} now)",
            hint="make a new plan with `contentctl plan -out FILE`, review it, and apply that",
        )
    del now  # a second copy of a large lockfile is not kept through the apply
    return make(app, options, changed_since)


def _approve_again(
    app: App, planned: Planned, approved: Plan, gate: _Gate, auto_approve: bool, diff: bool
) -> bool:
    """A plan made again under the lease runs only if it is what was approved, or is
    approved again (and passes the gate again); False when nothing is left to do."""
    from contentctl.report import text

    _project, manifests, lock, again = planned
    if _changes(again, manifests) == _changes(approved, manifests):
        return True
    click.echo(
        "\ncontentctl.lock changed while this apply waited (another apply finished?): "
        f"serial {approved.serial} then, {lock.serial} now. Planned again:\n"
    )
    click.echo(text.plan(again, app.style, diff=diff))
    if not again.has_changes:
        return False
    gate.check(again)
    if not auto_approve:
        _approve(False)
    gate.publishing(again)
    return True


def _check_combinations(
    plan_file: Path | None,
    *,
    generate: bool,
    allow_publish: bool,
    allow_republish: bool,
    planned: bool,
) -> None:
    """Options that would be silently ignored are refused: a saved plan carries its own
    options, and --generate publishes nothing, whatever else is allowed."""
    if plan_file is not None and (generate or allow_republish or planned):
        raise click.UsageError(
            "a saved plan is applied exactly as it was made: --generate, --select, --exclude, "
            "--replace, --changed-since and --allow-republish belong to `contentctl plan -out "
            "FILE`, not to `apply FILE`"
        )
    if generate and (allow_publish or allow_republish):
        raise click.UsageError(
            "--generate publishes nothing; --allow-publish and --allow-republish have no "
            "effect with it (the apply after the merge publishes)"
        )


class _Gate:
    """What must hold before anything is sent: no refused change, the budget, publishing."""

    def __init__(self, project: Project, max_credits: float | None, allowed: bool) -> None:
        self.limit = max_credits if max_credits is not None else project.max_credits
        self.allowed = allowed
        self.asked: set[str] = set()

    def check(self, the_plan: Plan) -> None:
        if the_plan.blocked:
            ways = dict.fromkeys(c.unblock for c in the_plan.blocked if c.unblock)
            raise ContentctlError(
                "the plan contains changes that are refused (see above)",
                hint="; ".join(ways) or None,
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


def _generated(
    project: Project,
    manifests: Manifests,
    lock: Lockfile,
    the_plan: Plan,
    changed_since: str | None,
) -> str:
    """The comment's generated content, with the credits of each take on the branch since
    ``changed_since`` (the pull request's base) when there is one. Shown where content is
    reviewed before it is published (spec.publishing: reviewed)."""
    from contentctl import git, lockfile
    from contentctl.errors import ContentctlError
    from contentctl.report import generated

    if project.publishing != "reviewed":
        return ""

    history: list[generated.Take] = []
    if changed_since:
        try:
            versions = [
                (commit, lockfile.parse(text) if text else lockfile.Lockfile.empty())
                for commit, text in git.lockfile_versions(
                    project.root, project.lockfile_path, changed_since
                )
            ]
            history = generated.takes(versions, _base_lockfile(project, changed_since))
        except ContentctlError:
            history = []  # an unreadable old lockfile: the content is still worth showing
    return generated.section(the_plan, manifests.graph, lock, history)


def _base_lockfile(project: Project, ref: str) -> Lockfile | None:
    from contentctl import git, lockfile

    text = git.show_lockfile(project.root, project.lockfile_path, ref)
    return lockfile.parse(text) if text else None


def _github_plan(
    app: App, project: Project, the_plan: Plan, out: Path | None, generated: str = ""
) -> None:
    from contentctl.report import github_actions, markdown

    if not github_actions.active(app.environ):
        return
    body = markdown.plan(the_plan, markdown.BUDGET - len(generated)) + generated
    github_actions.append_summary(app.environ, body)
    comment = github_actions.comment_path(project.state_dir, out)
    comment.parent.mkdir(parents=True, exist_ok=True)
    comment.write_text(body, encoding="utf-8")
    github_actions.set_outputs(
        app.environ,
        has_changes=the_plan.has_changes,
        credits=f"{the_plan.credits:g}",
        plan_file=str(out) if out else "",
        comment_file=str(comment),
    )


def _saved(app: App, path: Path) -> tuple[Project, Manifests, Lockfile, Plan]:
    from contentctl.plan import file as plan_file

    saved = plan_file.load(path)
    variables = saved["options"].get("variables") or {}
    app.env_name = variables.get("env")
    app.var_files = tuple(v for k, v in variables.get("items", []) if k == "file")
    app.var_items = tuple(v for k, v in variables.get("items", []) if k == "var")
    project, manifests, lock, the_plan = make(app, plan_file.options_of(saved))
    current = plan_file.to_json(the_plan, manifests.graph, _variables(app))
    plan_file.check_fresh(saved, lock, manifests.graph, current)
    return project, manifests, lock, the_plan


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

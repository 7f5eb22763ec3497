"""`contentctl apply`: the API calls of the plan, each recorded in contentctl.lock."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import click

from contentctl.apply.options import Approval, RunOptions
from contentctl.commands.context import App, pass_app
from contentctl.commands.options import variable_options
from contentctl.commands.plan_options import plan_options
from contentctl.commands.terminal import Terminal
from contentctl.errors import ContentctlError


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """nan compares false with every number: a budget of nan would be no budget."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of credits", ctx=ctx, param=param)
    return value


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
    from contentctl.apply import session
    from contentctl.commands.apply_run import run_approved
    from contentctl.commands.planning import planner
    from contentctl.plan.diff import PlanOptions

    selected = bool(replace or select or exclude or changed_since)
    _check_combinations(plan_file, generate, allow_publish, allow_republish, selected, commit, push)
    approval = Approval(plan_file is not None, auto_approve, max_credits, allow_publish)
    running = RunOptions(
        parallelism, resubmit_uncertain, no_wait, commit, push, checkpoint and push
    )
    options = PlanOptions(allow_republish, replace, select, exclude, generate=generate)
    plan = planner(app, plan_file, options, changed_since)
    run = functools.partial(run_approved, app, options=running)
    session.apply(app.project(), approval, running, plan, run, Terminal(app.style, diff=diff))


def _check_combinations(
    plan_file: Path | None,
    generate: bool,
    allow_publish: bool,
    allow_republish: bool,
    selected: bool,
    commit: bool,
    push: bool,
) -> None:
    """Options that would be silently ignored are refused: --push without --commit, a saved
    plan's own options, and what --generate cannot do whatever else is allowed."""
    if push and not commit:
        raise ContentctlError("--push needs --commit")
    if plan_file is not None and (generate or allow_republish or selected):
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

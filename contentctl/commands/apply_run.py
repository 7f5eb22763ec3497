"""Running an approved plan, as `apply` shows it: the progress, what the apply made, the
summary last (whatever error follows it), and the outputs for GitHub Actions."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App

if TYPE_CHECKING:
    from contentctl.apply.options import RunOptions
    from contentctl.lockfile.records import Lockfile
    from contentctl.plan.diff import Plan
    from contentctl.plan.project import Planned
    from contentctl.report import progress


def run_approved(app: App, planned: Planned, options: RunOptions) -> None:
    """Run the plan under the lease the caller holds; report, persist, exit as it went."""
    from contentctl.apply import keep, outcome, run
    from contentctl.commands.actions_report import apply_outputs
    from contentctl.commands.terminal import Echo
    from contentctl.interrupts import Interrupts
    from contentctl.report import apply_text

    console = Echo()
    with Interrupts() as interrupts:
        ran = run.run(app, planned, options, interrupts, _view(app, planned.plan), console)
        _outputs(planned.plan, ran.writer.current)
        try:
            commit, push = options.commit, options.push
            saved = keep.keep(planned, ran, app.environ, console, commit=commit, push=push)
            apply_outputs(app, planned.plan, ran.result)
        finally:
            # Last, so it is what stays on screen (whatever error is reported after it).
            click.echo("")
            click.echo(apply_text.apply_summary(ran.result, planned.plan))
    outcome.check(ran, saved, app.environ, no_wait=options.no_wait)


def _view(app: App, the_plan: Plan) -> progress.Plain | progress.Live:
    """On a terminal, the steps in flight redrawn in place; elsewhere a line per event."""
    from contentctl.report import progress

    if sys.stdout.isatty():
        return progress.Live(the_plan, sys.stdout, style=app.style)
    return progress.Plain(click.echo, the_plan)


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

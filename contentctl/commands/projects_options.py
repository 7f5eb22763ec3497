"""What the `contentctl projects` commands share: their options, the projects a change
reaches, and the repository's budget (--max-credits) over the projects' plans."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App
from contentctl.errors import ContentctlError

if TYPE_CHECKING:
    from contentctl.projects import Reached


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of credits", ctx=ctx, param=param)
    return value


MAX_MATRIX_JOBS = 256  # GitHub: a matrix generates at most 256 jobs per workflow run
MAX_CREDITS = click.option(
    "--max-credits",
    type=click.FloatRange(min=0),
    default=None,
    callback=_finite,
    help="The repository's budget: refuse when the projects' plans together are estimated "
    "above this many credits (each project's own spec.budget still holds).",
)
CHANGED_SINCE = click.option(
    "--changed-since",
    metavar="REF",
    help="Only the projects a change since git revision REF reaches: their own files, or "
    "shared templates their render loads.",
)


def found_projects(app: App, changed_since: str | None) -> tuple[Path, list[Reached]]:
    from contentctl.projects import Reached, changed_files, discover, reached

    top = app.project_dir
    every = discover(top, app.api_environ())
    if changed_since is None:
        return top, [Reached(p, ()) for p in every]
    return top, reached(top, every, changed_files(top, changed_since))


def within_budget(credits: float, max_credits: float | None) -> None:
    if max_credits is not None and credits > max_credits:
        raise ContentctlError(
            f"the projects' plans are estimated at {credits:g} credits together, over the "
            f"repository's budget of {max_credits:g}",
            hint="split the change over several pull requests, or raise --max-credits",
        )

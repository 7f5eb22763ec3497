"""`contentctl projects`: the repository's projects, which of them a change reaches (as a
GitHub Actions matrix), their plans in one process, and one pull request comment for all."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from contentctl.commands.context import App, pass_app
from contentctl.commands.options import chosen_format, json_option
from contentctl.errors import ContentctlError, UsageError

if TYPE_CHECKING:
    from contentctl.projects import Reached, RepositoryProject
    from contentctl.report.projects import Section


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


@click.group(invoke_without_command=True)
@CHANGED_SINCE
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github-matrix"]),
    default="text",
    show_default=True,
    help='github-matrix: {"include": [{"project": ..., "name": ..., "id": ...}]} for '
    "a job's strategy.matrix (also written to the step's outputs matrix and count).",
)
@json_option
@pass_app
@click.pass_context
def projects(ctx: click.Context, app: App, changed_since: str | None, output_format: str) -> None:
    """List the projects of the repository: every contentctl.yaml under the current folder
    (or -C DIR; run it at the repository's top). With --changed-since, only the projects the change
    reaches: a change to a project's own files, or to a shared template (spec.templates)
    that its manifests include, import or extend: known by rendering them, so a project
    that never loads the changed macro is left out.

    Projects are identified by their folder; the id (the folder with / as -) names their
    artifacts, concurrency groups and GitHub Environments in the workflow `init --multi`
    writes.

    \b
    Examples:
      contentctl projects
      contentctl projects --changed-since origin/main --format github-matrix
      contentctl projects plan --max-credits 500
    """
    if ctx.invoked_subcommand is not None:
        ctx.meta["projects_changed_since"] = changed_since
        return
    output_format = chosen_format(output_format)
    top, found = _found(app, changed_since)
    if output_format == "github-matrix":
        if len(found) > MAX_MATRIX_JOBS:
            raise UsageError(
                f"{len(found)} projects are more than the {MAX_MATRIX_JOBS} jobs a GitHub "
                "Actions matrix may generate",
                hint="split the workflow: one per folder of projects, each running "
                "`contentctl -C FOLDER projects`",
            )
        matrix = {"include": [r.project.to_json() for r in found]}
        text = json.dumps(matrix, separators=(",", ":"))
        from contentctl.report import github_actions

        github_actions.set_outputs(app.environ, matrix=text, count=len(found))
        github_actions.append_summary(app.environ, _summary(found, changed_since))
        click.echo(text)
    elif output_format == "json":
        click.echo(json.dumps({"projects": [r.to_json() for r in found]}, indent=2))
    else:
        _text(top, found, changed_since)


def _found(app: App, changed_since: str | None) -> tuple[Path, list[Reached]]:
    from contentctl.projects import Reached, changed_files, discover, reached

    top = app.project_dir
    every = discover(top, app.api_environ())
    if changed_since is None:
        return top, [Reached(p, ()) for p in every]
    return top, reached(top, every, changed_files(top, changed_since))


def _summary(found: Sequence[Reached], changed_since: str | None) -> str:
    """The step summary: which projects the workflow plans or applies, and why."""
    from contentctl.report.markdown_safe import code

    since = f" since {code(changed_since)}" if changed_since else ""
    lines = [f"### contentctl projects{since}: {len(found)}", ""]
    if not found:
        return "\n".join([*lines, "No project is reached: no plan, no apply."])
    lines += ["| project | because |", "|---|---|"]
    for item in found:
        why = ", ".join(code(f, in_table=True) for f in item.because) or "every project"
        lines.append(f"| {code(item.project.path, in_table=True)} | {why} |")
    return "\n".join(lines)


def _text(top: Path, found: Sequence[Reached], changed_since: str | None) -> None:
    if not found:
        what = f"reached by changes since {changed_since}" if changed_since else "found"
        click.echo(f"No project {what} under {top}.")
        return
    width = max(len(r.project.path) for r in found)
    for item in found:
        why = f"  ({', '.join(item.because)})" if item.because else ""
        click.echo(f"{item.project.path:<{width}}  {item.project.name}{why}")


@projects.command("plan")
@CHANGED_SINCE
@MAX_CREDITS
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@json_option
@pass_app
@click.pass_context
def plan_all(
    ctx: click.Context,
    app: App,
    changed_since: str | None,
    max_credits: float | None,
    output_format: str,
) -> None:
    """Plan every project (with --changed-since, those the change reaches) in this one
    process, and total the credits: with --max-credits, refuse (exit 1)
    when the total is over the repository's budget. Makes no API call.

    \b
    Examples:
      contentctl projects plan
      contentctl projects plan --changed-since "$BEFORE" --max-credits 1000
    """
    from contentctl.report.projects import totals

    output_format = chosen_format(output_format)
    if changed_since is None and ctx.parent is not None:
        changed_since = ctx.parent.meta.get("projects_changed_since")
    _top, found = _found(app, changed_since)
    sections = [_plan_one(app, r.project) for r in found]
    sums = totals(sections, max_credits)
    if output_format == "json":
        data = {
            "projects": [
                {"project": s.path, "name": s.name, "changes": s.changes, "credits": s.credits}
                for s in sections
            ],
            "totals": {"projects": sums.projects, "changes": sums.changes, "credits": sums.credits},
            "max_credits": max_credits,
        }
        click.echo(json.dumps(data, indent=2))
    else:
        for s in sections:
            click.echo(f"{s.path}: {s.changes} changes, estimated {s.credits:g} credits")
        plural = "" if sums.projects == 1 else "s"
        click.echo(
            f"{sums.projects} project{plural}, {sums.changes} changes, "
            f"estimated {sums.credits:g} credits"
        )
    _gate(sums.credits, max_credits)


def _plan_one(app: App, found: RepositoryProject) -> Section:
    from contentctl.lockfile.read import read
    from contentctl.plan import file as plan_file
    from contentctl.plan.diff import PlanOptions, make_plan
    from contentctl.report import markdown
    from contentctl.report.projects import Section
    from contentctl.validate.manifests import check_project

    manifests = check_project(found.project)
    if manifests.errors:
        from contentctl.errors import DiagnosticsError
        from contentctl.projects import in_folder

        raise in_folder(DiagnosticsError(manifests.diagnostics), found.path)
    lock = read(found.project.lockfile_path)
    the_plan = make_plan(found.project, manifests.graph, lock, PlanOptions())
    data = plan_file.to_json(the_plan, manifests.graph)
    return Section(found.path, found.name, data, markdown.plan(the_plan))


def _gate(credits: float, max_credits: float | None) -> None:
    if max_credits is not None and credits > max_credits:
        raise ContentctlError(
            f"the projects' plans are estimated at {credits:g} credits together, over the "
            f"repository's budget of {max_credits:g}",
            hint="split the change over several pull requests, or raise --max-credits",
        )


@projects.command("comment")
@click.argument("plans", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--matrix",
    "matrix_json",
    required=True,
    metavar="JSON",
    help="The matrix `projects --format github-matrix` printed: which projects were planned.",
)
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the comment's Markdown (for `contentctl github comment`).",
)
@MAX_CREDITS
def comment(plans: Path, matrix_json: str, out: Path, max_credits: float | None) -> None:
    """Write one pull request comment for every project of the matrix, totals first
    (projects, changes, credits), then a section per project, from the plan jobs' folders:
    PLANS/ID/plan.json and PLANS/ID/plan.comment.md. Exits 1, after writing the comment,
    when a project has no plan or the total is over --max-credits (the repository's budget).

    \b
    Examples:
      contentctl projects comment "$RUNNER_TEMP/plans" --matrix "$MATRIX" \\
        --max-credits 1000 -o "$RUNNER_TEMP/contentctl-plan/plan.comment.md"
    """
    from contentctl.report.projects import Section
    from contentctl.report.projects import comment as render

    entries = _matrix(matrix_json)
    sections = [
        Section(
            str(e["project"]),
            str(e.get("name") or e["project"]),
            _read_json(plans / str(e["id"]) / "plan.json"),
            _read_text(plans / str(e["id"]) / "plan.comment.md"),
        )
        for e in entries
    ]
    text = render(sections, max_credits)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote the comment for {len(sections)} projects to {out}")
    missing = [s.path for s in sections if s.plan is None]
    if missing:
        raise ContentctlError(f"no plan for {', '.join(missing)}", hint="see their plan jobs")
    _gate(sum(s.credits for s in sections), max_credits)


def _matrix(text: str) -> list[dict[str, Any]]:
    if not text.strip():
        raise UsageError(
            "--matrix is empty: no project list to comment on",
            hint="in the workflow, the detect job failed: its log says why",
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--matrix is not JSON: {exc}") from None
    include = data.get("include") if isinstance(data, dict) else None
    valid = isinstance(include, list) and all(
        isinstance(e, dict) and isinstance(e.get("project"), str) and isinstance(e.get("id"), str)
        for e in include
    )
    if not valid:
        raise UsageError(
            "--matrix is not a projects matrix",
            hint="pass what `contentctl projects --format github-matrix` printed: "
            '{"include": [{"project": ..., "id": ...}]}',
        )
    assert isinstance(include, list)
    ids = [str(e["id"]) for e in include]
    if any("/" in i or i in ("", ".", "..") for i in ids):
        raise UsageError("--matrix names a project id that is not a plain folder name")
    return include


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    return data if isinstance(data, dict) else None


def _read_text(path: Path) -> str | None:
    from contentctl.github_comment import LIMIT

    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.read(LIMIT)
    except FileNotFoundError:
        return None

"""`contentctl projects comment`: one pull request comment for every project of the matrix,
from the folders their plan jobs left."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from contentctl.commands.projects_options import MAX_CREDITS, within_budget
from contentctl.errors import ContentctlError, UsageError


@click.command("comment")
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
    within_budget(sum(s.credits for s in sections), max_credits)


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

"""GitHub Actions mode (GITHUB_ACTIONS=true): step summary, step outputs, masks, and the body
of a pull-request comment that a workflow can keep updating (it carries a hidden marker)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from contentctl.report.diagnostics import escape_data


def active(environ: Mapping[str, str]) -> bool:
    return environ.get("GITHUB_ACTIONS") == "true"


def masks(values: Iterable[str]) -> str:
    """``::add-mask::`` lines, so the runner hides these values in every later log line."""
    return "".join(f"::add-mask::{escape_data(v)}\n" for v in values if v)


def append_summary(environ: Mapping[str, str], markdown: str) -> None:
    path = environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(markdown.rstrip("\n") + "\n\n")


def set_outputs(environ: Mapping[str, str], **values: object) -> None:
    """Step outputs, written with a random delimiter so no value can end the block early."""
    path = environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as handle:
        for name, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            delimiter = f"contentctl_{uuid.uuid4().hex}"
            handle.write(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")


def comment_path(project_state_dir: Path, saved_plan: Path | None) -> Path:
    """Next to the saved plan (``plan.json`` -> ``plan.comment.md``), so that one folder
    holds what the comment workflow needs; else in the project's state folder."""
    if saved_plan is not None:
        return saved_plan.with_suffix(".comment.md")
    return project_state_dir / "plan-comment.md"

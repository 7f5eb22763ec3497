"""Many projects' plans as one pull request comment: the totals first (projects, changes,
credits, the repository's budget), then a section per project.

Each section is the Markdown ``contentctl plan`` wrote for that project (already made safe
by ``report.markdown``). The whole stays within GitHub's limit: when the sections do not fit,
the largest are shortened to their summary line, and the comment says which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contentctl.report.markdown import BUDGET, MARKER
from contentctl.report.markdown_safe import code

HEADING = "### contentctl plan"


@dataclass(frozen=True)
class Section:
    """One project of the matrix and what its plan job left: plan.json and its comment."""

    path: str
    name: str
    plan: Mapping[str, Any] | None  # None: the plan job wrote no plan
    markdown: str | None

    @property
    def credits(self) -> float:
        return float((self.plan or {}).get("summary", {}).get("credits", 0) or 0)

    @property
    def changes(self) -> int:
        return len((self.plan or {}).get("changes", []))


@dataclass(frozen=True)
class Totals:
    projects: int
    planned: int
    changes: int
    credits: float
    max_credits: float | None

    @property
    def over_budget(self) -> bool:
        return self.max_credits is not None and self.credits > self.max_credits


def totals(sections: Sequence[Section], max_credits: float | None) -> Totals:
    return Totals(
        projects=len(sections),
        planned=sum(1 for s in sections if s.plan is not None),
        changes=sum(s.changes for s in sections),
        credits=sum(s.credits for s in sections),
        max_credits=max_credits,
    )


def comment(sections: Sequence[Section], max_credits: float | None, budget: int = BUDGET) -> str:
    """The one comment for every project of the pull request."""
    sums = totals(sections, max_credits)
    head = _head(sections, sums)
    bodies = [_section(s) for s in sections]
    room = budget - len(head)
    if sum(len(b) for b in bodies) > room:
        bodies = _shortened(sections, bodies, room)
    return head + "".join(bodies)


def _head(sections: Sequence[Section], sums: Totals) -> str:
    lines = [MARKER, f"{HEADING}: {sums.projects} project{'' if sums.projects == 1 else 's'}", ""]
    if not sections:
        lines.append("No project is reached by this change: nothing to plan, no credit.")
        return "\n".join(lines) + "\n"
    lines += [
        "| projects | changes | estimated credits |",
        "|---:|---:|---:|",
        f"| {sums.projects:,} | {sums.changes:,} | {_credits(sums.credits)} |",
        "",
    ]
    if sums.max_credits is not None:
        verdict = (
            f"> **Over the repository's budget:** {_credits(sums.credits)} credits estimated, "
            f"the budget is {_credits(sums.max_credits)}. The apply after the merge will refuse "
            "it: split the change, or raise the budget (`contentctl projects plan --max-credits`)."
            if sums.over_budget
            else f"Within the repository's budget of {_credits(sums.max_credits)} credits."
        )
        lines += [verdict, ""]
    missing = [s.path for s in sections if s.plan is None]
    if missing:
        names = ", ".join(code(p) for p in missing)
        lines += [f"> **No plan for:** {names} (its plan job failed: see the run).", ""]
    rows = [
        f"| {code(s.path, in_table=True)} | {s.changes:,} | {_credits(s.credits)} |"
        for s in sections
        if s.plan is not None
    ]
    lines += ["| project | changes | credits |", "|---|---:|---:|", *rows, ""]
    return "\n".join(lines) + "\n"


def _section(section: Section) -> str:
    title = f"#### {code(section.path)} ({code(section.name)})"
    if section.plan is None:
        return f"\n{title}\n\nNo plan: the plan job of this project failed.\n"
    if section.markdown is None:  # the plan was saved, its comment was not
        return (
            f"\n{title}\n\n{section.changes:,} changes, estimated {_credits(section.credits)} "
            "credits; its plan job wrote no comment to show here "
            f"(`contentctl -C {section.path} plan` shows it).\n"
        )
    body = section.markdown
    for prefix in (MARKER + "\n", HEADING + "\n"):
        body = body.removeprefix(prefix)
    return f"\n{title}\n{body.rstrip()}\n"


def _shortened(sections: Sequence[Section], bodies: list[str], room: int) -> list[str]:
    """Largest first, replace sections by their summary until everything fits."""
    out = list(bodies)
    for index in sorted(range(len(out)), key=lambda i: -len(out[i])):
        if sum(len(b) for b in out) <= room:
            break
        section = sections[index]
        out[index] = (
            f"\n#### {code(section.path)} ({code(section.name)})\n\n"
            f"{section.changes:,} changes, estimated {_credits(section.credits)} credits: too "
            f"long for this comment (`contentctl -C {section.path} plan` shows it).\n"
        )
    return out


def _credits(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")

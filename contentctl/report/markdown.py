"""The plan as Markdown for a pull request comment: a summary table, collapsible details.

GitHub refuses comments over 65,535 characters; a large plan is summarised step by step
(details dropped, then the table compacted) so that every changed resource is still named.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from contentctl.report.text import word_diff

if TYPE_CHECKING:
    from contentctl.plan import Plan, ResourceChange

MARKER = "<!-- contentctl-plan -->"
LIMIT = 65_535
BUDGET = 60_000  # leave room for what a workflow adds around it
SYMBOL = {
    "create": "➕",
    "update": "🔄",
    "replace": "♻️",
    "delete": "🗑️",
    "forget": "➖",
    "no-op": "➡️",
}


def plan(plan: Plan) -> str:
    attempts: list[Callable[[Plan], str]] = [_full, _without_details, _compact]
    for render in attempts:
        text = render(plan)
        if len(text) <= BUDGET:
            return text
    return _compact(plan)[: LIMIT - 200] + "\n\n… (truncated: run `contentctl plan` locally)\n"


def _head(plan: Plan) -> list[str]:
    counts = plan.counts()
    summary = ", ".join(f"{counts.get(a, 0)} to {a}" for a in ("create", "update", "forget"))
    extra = "".join(f", {counts[a]} to {a}" for a in ("replace", "delete", "move") if counts.get(a))
    lines = [MARKER, "### contentctl plan", ""]
    if not plan.has_changes:
        return [*lines, "No changes: the content matches the lockfile. No API call, no credit."]
    lines.append(f"**{summary}{extra}** · estimated **{plan.credits:g} credits**")
    if plan.publishes:
        names = ", ".join(f"`{c.address}`" for c in plan.publishes)
        lines += ["", f"> **Publishes (irreversible):** {names}"]
    if plan.blocked:
        lines += ["", "> **Will be refused:**"]
        lines += [f"> - `{c.address}`: {c.blocked}" for c in plan.blocked]
    return lines


def _changed(plan: Plan) -> list[ResourceChange]:
    return [c for c in plan.changes if c.action != "no-op" or c.moved_from]


def _table(plan: Plan) -> list[str]:
    rows = ["", "| | Resource | Steps | Why | Credits |", "|---|---|---|---|---:|"]
    for change in _changed(plan):
        steps = ", ".join(s.name for s in change.running) or "—"
        why = (
            (change.moved_from and f"moved from `{change.moved_from}`")
            or change.warning
            or next((s.reason for s in change.running if s.after is None), "")
        )
        cost = f"{change.credits:g}" if change.credits else ""
        rows.append(
            f"| {SYMBOL[change.action]} | `{change.address}` | {steps} | {_cell(why)} | {cost} |"
        )
    return rows


def _details(plan: Plan) -> list[str]:
    lines = ["", "<details><summary>Field changes</summary>", ""]
    for change in _changed(plan):
        fields = [(s.name, f) for s in change.running for f in s.changes]
        if not fields:
            continue
        lines.append(f"**`{change.address}`**")
        for step, field in fields:
            if isinstance(field.before, str) and isinstance(field.after, str):
                shown = word_diff(field.before, field.after)
            else:
                shown = f"{field.before!r} → {field.after!r}"
            lines.append(f"- {step} · `{field.field}`: {_cell(shown)}")
        lines.append("")
    return [*lines, "</details>"]


def _full(plan: Plan) -> str:
    if not plan.has_changes:
        return "\n".join(_head(plan)) + "\n"
    return "\n".join([*_head(plan), *_table(plan), *_details(plan)]) + "\n"


def _without_details(plan: Plan) -> str:
    note = ["", "_Field changes omitted: the plan is large. Run `contentctl plan --diff`._"]
    return "\n".join([*_head(plan), *_table(plan), *note]) + "\n"


def _compact(plan: Plan) -> str:
    lines = [*_head(plan), ""]
    for action in ("create", "replace", "update", "no-op", "delete", "forget"):
        group = [c.address for c in _changed(plan) if c.action == action]
        if group:
            label = "move" if action == "no-op" else action
            lines.append(f"**{label}** ({len(group)}): " + ", ".join(f"`{a}`" for a in group))
            lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")

"""The plan as Markdown for a pull request comment: a summary table, collapsible details.

Every value that comes from a manifest or an API goes through ``markdown_safe``: a caption
cannot close a block, render HTML, or mention anyone. GitHub refuses comments over 65,535
characters, so the text is built within a budget: the table and every field change when they
fit; else the table and the field changes of as many resources as fit; else, when not even
the table fits, the names of the changed resources by action and kind. What is left out is
always counted, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from contentctl.report.markdown_fields import field_lines
from contentctl.report.markdown_names import names_by_kind
from contentctl.report.markdown_safe import code, fenced, text

if TYPE_CHECKING:
    from contentctl.plan.diff import Plan, ResourceChange

MARKER = "<!-- contentctl-plan -->"
LIMIT = 65_535
BUDGET = 60_000  # leave room for what a workflow adds around it (the comment's footer)
SYMBOL = {
    "create": "➕",
    "update": "🔄",
    "replace": "♻️",
    "delete": "🗑️",
    "forget": "➖",
    "no-op": "➡️",
}
NAMED_IN_HEAD = 20
NOTE_ROOM = 400  # kept free for the closing note while filling the budget


def plan(plan: Plan, budget: int = BUDGET) -> str:
    head = _head(plan)
    if not plan.has_changes:
        return head
    changed = _changed(plan)
    table = _table(changed)
    if len(head) + len(table) + NOTE_ROOM <= budget:
        return head + table + _details(changed, budget - len(head) - len(table))
    return head + names_by_kind(changed, budget - len(head) - NOTE_ROOM)


def _changed(plan: Plan) -> list[ResourceChange]:
    return [c for c in plan.changes if c.action != "no-op" or c.moved_from]


def _head(plan: Plan) -> str:
    counts = plan.counts()
    summary = ", ".join(f"{counts.get(a, 0):,} to {a}" for a in ("create", "update", "forget"))
    extra = "".join(
        f", {counts[a]:,} to {a}" for a in ("replace", "delete", "move") if counts.get(a)
    )
    lines = [MARKER, "### contentctl plan", ""]
    if not plan.has_changes:
        lines.append("No changes: the content matches the lockfile. No API call, no credit.")
        return "\n".join(lines + _elsewhere(plan)) + "\n"
    lines.append(f"**{summary}{extra}** · estimated **{_credits(plan.credits)} credits**")
    publishes = [c.address for c in plan.publishes]
    if publishes:
        names = ", ".join(code(a) for a in publishes[:NAMED_IN_HEAD])
        lines += ["", f"> **Publishes (irreversible):** {names}{_more(publishes)}"]
    review = [h.address for h in plan.needs_review]
    if review:
        names = ", ".join(code(a) for a in review[:NAMED_IN_HEAD])
        lines += [
            "",
            "> **Needs review:** the merge would generate their content itself, so it keeps "
            f"them as drafts and does not publish them: {names}{_more(review)}. A maintainer "
            "adds the label `contentctl:generate` to generate them here, for review (a pull "
            "request from a fork: once its branch is pushed to this repository).",
        ]
    blocked = plan.blocked
    if blocked:
        lines += ["", "> **Will be refused:**"]
        lines += [
            f"> - {code(c.address)}: {text(_clip(c.blocked or ''))}"
            for c in blocked[:NAMED_IN_HEAD]
        ]
        if len(blocked) > NAMED_IN_HEAD:
            lines.append(f"> - and {len(blocked) - NAMED_IN_HEAD:,} more (`contentctl plan`)")
    return "\n".join(lines + _elsewhere(plan)) + "\n"


def _elsewhere(plan: Plan) -> list[str]:
    """What the apply after the merge runs too, beyond this pull request's changes."""
    if not plan.elsewhere:
        return []
    names = [c.address for c in plan.elsewhere]
    credits = sum(c.credits for c in plan.elsewhere)
    shown = ", ".join(code(a) for a in names[:NAMED_IN_HEAD])
    return [
        "",
        f"> **Also pending on the base branch** (not from this pull request; the apply after "
        f"the merge runs them too): {len(names):,} resource{'' if len(names) == 1 else 's'}, "
        f"estimated **{_credits(credits)} credits**: {shown}{_more(names)}",
    ]


def _credits(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _more(names: Sequence[str]) -> str:
    left = len(names) - NAMED_IN_HEAD
    return f" and {left:,} more (`contentctl plan` lists them)" if left > 0 else ""


def _clip(value: str, limit: int = 300) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _table(changed: Sequence[ResourceChange]) -> str:
    rows = ["", "| | Resource | Steps | Why | Credits |", "|---|---|---|---|---:|"]
    for change in changed:
        steps = ", ".join(
            s.name + (" (resume)" if s.action == "resume" else "") for s in change.running
        )
        cost = _credits(change.credits) if change.credits else ""
        rows.append(
            f"| {SYMBOL[change.action]} | {code(change.address, in_table=True)} "
            f"| {steps or '—'} | {_why(change)} | {cost} |"
        )
    return "\n".join(rows) + "\n"


def _why(change: ResourceChange) -> str:
    if change.moved_from:
        return "moved from " + code(change.moved_from, in_table=True)
    step_reason = next((s.reason for s in change.running if s.after is None), "")
    if change.action in ("forget", "delete"):
        reason = change.warning or step_reason
    else:  # a warning beside the reason: what the change leaves behind
        reason = "; ".join(r for r in (step_reason, change.warning) if r)
    return text(_clip(reason))


def _details(changed: Sequence[ResourceChange], room: int) -> str:
    """The field changes of as many resources as fit in ``room``; the rest counted."""
    shown: list[str] = []
    used = NOTE_ROOM + 100
    left_out = 0
    for change in changed:
        lines = field_lines(change)
        if not lines:
            continue
        block = _detail_block(change, lines) if not left_out else ""
        if block and used + len(block) <= room:
            shown.append(block)
            used += len(block)
        else:
            left_out += 1
    out = ""
    if shown:
        out = "\n<details><summary>Field changes</summary>\n\n" + "".join(shown) + "</details>\n"
    if left_out:
        out += (
            f"\n_Field changes of {left_out:,} more resource{'' if left_out == 1 else 's'} "
            "left out to stay within GitHub's comment size: `contentctl plan --diff` shows "
            "them._\n"
        )
    return out


def _detail_block(change: ResourceChange, lines: Sequence[str]) -> str:
    source = f" · {code(change.source_file)}" if change.source_file else ""
    title = f"{SYMBOL[change.action]} {code(change.address)}{source}"
    return "\n".join([title, "", *fenced(lines, "diff"), "", ""])

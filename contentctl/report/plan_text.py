"""The plan as text: the changes grouped by action, why each runs and what it costs, what is
held back for review, and with --diff every field that changes (long texts word by word)."""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Any

from contentctl.plan.reasons import Why
from contentctl.report.text import Style, credits_text

if TYPE_CHECKING:
    from contentctl.plan.diff import Plan, ResourceChange

SYMBOLS = {
    "create": ("+", "green"),
    "update": ("~", "yellow"),
    "replace": ("-/+", "red"),
    "delete": ("x", "red"),
    "forget": ("-", "red"),
    "no-op": (">", "cyan"),
}
GROUPS = (
    ("create", "Create"),
    ("replace", "Replace (regenerate everything)"),
    ("update", "Update"),
    ("no-op", "Move"),
    ("delete", "Delete"),
    ("forget", "Stop tracking"),
)


def plan(plan: Plan, style: Style, diff: bool = False) -> str:
    return _plan(plan, style, diff) + _held(plan, style) + _elsewhere(plan) + _missing(plan)


def _held(plan: Plan, style: Style) -> str:
    """Steps held back: content that needs review, and what waits for the merge."""
    lines = []
    review = plan.needs_review
    if review:
        lines += [
            "",
            style("Needs review (made in this run, not published):", "magenta", bold=True),
        ]
        lines += [f"  ! {h.address} ({', '.join(h.steps)} held): {h.message}" for h in review]
    waiting = [h for h in plan.held if not h.needs_review]
    if waiting:
        lines += ["", "Waits for the apply after the merge (not run by --generate):"]
        lines += [f"  {h.address}: {', '.join(h.steps)}" for h in waiting]
    return "\n" + "\n".join(lines) if lines else ""


def _elsewhere(plan: Plan) -> str:
    if not plan.elsewhere:
        return ""
    credits = sum(c.credits for c in plan.elsewhere)
    names = ", ".join(c.address for c in plan.elsewhere[:10])
    more = f" and {len(plan.elsewhere) - 10} more" if len(plan.elsewhere) > 10 else ""
    return (
        f"\nAlso pending outside --changed-since, not in this plan: {len(plan.elsewhere)} "
        f"resource(s), {credits_text(credits)} ({names}{more}). The lockfile lags behind the "
        "manifests (an earlier apply failed or has not run): the next full apply runs them too."
    )


def _missing(plan: Plan) -> str:
    if not plan.missing_artifacts:
        return ""
    shown = ", ".join(plan.missing_artifacts[:5]) + (
        " ..." if len(plan.missing_artifacts) > 5 else ""
    )
    return (
        f"\nNot a change: the downloaded files of {len(plan.missing_artifacts)} resource(s) are "
        f"not here ({shown}); `contentctl pull` fetches them."
    )


def _plan(plan: Plan, style: Style, diff: bool) -> str:
    if not plan.has_changes:
        count = sum(1 for c in plan.changes if c.action == "no-op")
        return (
            f"No changes. The content matches the lockfile ({count} resource"
            f"{'' if count == 1 else 's'}); no API call would be made."
        )
    lines = ["contentctl will make these API calls:"]
    for action, title in GROUPS:
        group = [
            c for c in plan.changes if c.action == action and (action != "no-op" or c.moved_from)
        ]
        if not group:
            continue
        lines += ["", f"{title}:"]
        width = min(48, max(len(c.address) for c in group))
        for change in group:
            lines.append(_change_line(change, width, style))
            if change.warning and action not in ("forget", "delete"):
                lines.append(style(f"    ! {change.warning}", "yellow"))
            if diff:
                lines.extend(_change_details(change))
    if plan.publishes:
        lines += ["", style("Publishing (irreversible):", "magenta", bold=True)]
        lines.extend(f"  ! {c.address}" for c in plan.publishes)
    counts = plan.counts()
    summary = ", ".join(f"{counts.get(a, 0)} to {a}" for a in ("create", "update", "forget"))
    extra = "".join(f", {counts[a]} to {a}" for a in ("replace", "delete", "move") if counts.get(a))
    lines += [
        "",
        style(f"Plan: {summary}{extra}. Estimated cost: {credits_text(plan.credits)}.", bold=True),
    ]
    blocked = plan.blocked
    if blocked:
        lines.append(style(f"{len(blocked)} change(s) will be refused:", "red"))
        lines.extend(f"  {c.address}: {c.blocked}" for c in blocked)
    return "\n".join(lines)


def _change_line(change: ResourceChange, width: int, style: Style) -> str:
    symbol, color = SYMBOLS[change.action]
    steps = ", ".join(
        s.name + (" (resume)" if s.action == "resume" else "") for s in change.running
    )
    why = _why(change)
    cost = f"~{credits_text(change.credits)}" if change.credits else ""
    parts = [f"  {style(symbol, color, bold=True)} {change.address:<{width}}", steps, why, cost]
    return "   ".join(p for p in parts if p).rstrip()


def _why(change: ResourceChange) -> str:
    if change.moved_from:
        return f"moved from {change.moved_from}"
    if change.action == "forget":
        return change.warning or "spec.removed"
    if change.action == "delete":
        return "its manifest is gone: the remote object is deleted"
    for step in change.running:
        if step.why not in (Why.NEW, Why.AFTER):
            return step.reason
    return ""


def _change_details(change: ResourceChange) -> list[str]:
    lines = []
    for step in change.running:
        cost = f"~{credits_text(step.credits)}" if step.credits else ""
        verb = "resume " if step.action == "resume" else ""
        lines.append(f"      {step.name:<10} {verb}{step.reason:<50} {cost}".rstrip())
        for field_change in step.changes:
            lines.append(
                f"          {field_change.field}: "
                f"{_field_diff(field_change.before, field_change.after)}"
            )
    return lines


def _field_diff(before: Any, after: Any) -> str:
    if isinstance(before, str) and isinstance(after, str) and (" " in before or " " in after):
        return word_diff(before, after)
    return f"{_short(before)} → {_short(after)}"


def word_diff(before: str, after: str) -> str:
    """``[-removed-]{+added+}`` between the words of two texts."""
    old, new = before.split(), after.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if op == "equal":
            out.extend(old[i1:i2])
            continue
        if i2 > i1:
            out.append("[-" + " ".join(old[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(new[j1:j2]) + "+}")
    return " ".join(out)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."

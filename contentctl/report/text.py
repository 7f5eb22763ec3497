"""Human-readable output: diagnostics, plans, apply progress, outputs."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from contentctl.plan.reasons import Why

if TYPE_CHECKING:
    from contentctl.apply.results import ApplyResult, Event
    from contentctl.lockfile.records import Lockfile, ResourceRecord
    from contentctl.model import Diagnostic
    from contentctl.plan.diff import Plan, ResourceChange
    from contentctl.plan.review import Held

SYMBOLS = {
    "create": ("+", "green"),
    "update": ("~", "yellow"),
    "replace": ("-/+", "red"),
    "delete": ("x", "red"),
    "forget": ("-", "red"),
    "no-op": (">", "cyan"),
}


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if self.color and (fg or bold) else text


def diagnostics(items: Iterable[Diagnostic], style: Style) -> str:
    lines = []
    for d in items:
        label = style(d.severity, "red" if d.severity == "error" else "yellow", bold=True)
        origin = f" (in {d.location.origin})" if d.location.origin else ""
        lines.append(f"{d.location}: {label}: {d.message}{origin}")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return "\n".join(lines)


def _credits(value: float) -> str:
    return f"{value:g} credit{'' if value == 1 else 's'}"


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
        f"resource(s), {_credits(credits)} ({names}{more}). The lockfile lags behind the "
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
        style(f"Plan: {summary}{extra}. Estimated cost: {_credits(plan.credits)}.", bold=True),
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
    cost = f"~{_credits(change.credits)}" if change.credits else ""
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
        cost = f"~{_credits(step.credits)}" if step.credits else ""
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


def event(e: Event) -> str:
    where = f"{e.address}" + (f" {e.step}" if e.step else "")
    detail = {
        "submitted": f"submitted (job {e.remote_id})",
        "resumed": f"resuming job {e.remote_id}",
        "reconciled": e.message,
        "completed": "done"
        + (
            f" ({_credits(e.credits)}{', submitted by an earlier apply' if e.earlier else ''})"
            if e.credits
            else ""
        )
        + (f" in {e.elapsed:.1f}s" if e.elapsed is not None else ""),
        "failed": f"FAILED: {e.message}",
        "skipped": f"skipped: {e.message}",
        "forgotten": f"forgotten: {e.message}",
        "deleted": e.message,
        "unchanged": f"kept: {e.message}",
        "moved": e.message,
        "still-running": f"still running, not lost: {e.message}"
        + (f" (job {e.remote_id})" if e.remote_id else ""),
        "not-started": f"not started: {e.message}",
        "warning": f"warning: {e.message}",
    }[e.kind]
    return f"{where}: {detail}"


def apply_summary(result: ApplyResult, plan: Plan) -> str:
    earlier = (
        f"; {_credits(result.credits_earlier)} more for jobs an earlier apply submitted, "
        "collected now"
        if result.credits_earlier
        else ""
    )
    lines = [
        f"Apply finished: {result.steps_run} step(s) run, {_credits(result.credits_used)} "
        f"used (estimated {_credits(plan.credits)}){earlier}."
    ]
    for change in plan.changes:
        used = result.credits_by_resource.get(change.address, 0)
        before = result.credits_earlier_by_resource.get(change.address, 0)
        if not (change.credits or used or before):
            continue  # free: nothing to compare
        line = f"  {change.address}: {_credits(used)} used, ~{_credits(change.credits)} estimated"
        if before:
            line += f" (and {_credits(before)} for a job an earlier apply submitted)"
        lines.append(line)
    for failure in result.failures:
        lines.append(
            f"  failed: {failure.address}"
            + (f" {failure.step}" if failure.step else "")
            + f": {failure.message}"
        )
        if failure.hint:
            lines.append(f"    hint: {failure.hint}")
    for address in result.skipped:
        lines.append(f"  skipped: {address} (a resource it depends on failed)")
    for warning in result.warnings:
        lines.append(f"  warning: {warning.address} {warning.step}: {warning.message}")
    for running in result.still_running:
        lines.append(
            f"  still running: {running.address} {running.step} (job {running.remote_id}, "
            f"{running.why}); recorded, run apply again to collect it"
        )
    not_started = sorted(set(result.not_started))
    if not_started:
        lines.append(f"  not started (apply stopped): {', '.join(not_started)}")
    review = needs_review(result, plan)
    if review:
        lines.append(
            f"Needs review: {len(review)} resource(s) not published, their content made in "
            "this run (a later apply publishes them while it is unchanged):"
        )
        lines += [f"  needs review: {h.address} ({', '.join(h.steps)} held)" for h in review]
    if not result.ok:
        lines.append("Run `contentctl apply` again to retry what failed; completed steps are kept.")
    return "\n".join(lines)


def needs_review(result: ApplyResult, plan: Plan) -> list[Held]:
    """What the plan held back for review, of the resources this apply did finish."""
    unfinished = (
        {f.address for f in result.failures}
        | set(result.skipped)
        | set(result.not_started)
        | {r.address for r in result.still_running}
    )
    return [h for h in plan.needs_review if h.address not in unfinished]


def outputs(lock: Lockfile, addresses: Sequence[str] | None = None) -> str:
    chosen = addresses if addresses is not None else sorted(lock.resources)
    blocks = [_resource(a, lock.resources[a]) for a in chosen if a in lock.resources]
    return "\n\n".join(blocks) if blocks else "The lockfile records no resources."


def _resource(address: str, record: ResourceRecord) -> str:
    lines = [
        f"{address}  ({record.kind}, {record.provider}, from {record.source.get('file', '?')})"
    ]
    for name, step in record.steps.items():
        status = step.status + (f", id {step.remote_id}" if step.remote_id else "")
        if step.credits_used:
            status += f", {_credits(step.credits_used)}"
        lines.append(f"  {name}: {status}")
        if step.error:
            lines.append(f"    error: {step.error}")
        lines.extend(_outputs(record.kind, name, step.outputs))
        lines.extend(f"    warning: {w}" for w in step.outputs.get("warnings", []))
    if record.orphans:
        lines.append("  orphans (remote objects no longer current, kept so no id is lost):")
    for orphan in record.orphans:
        kept = orphan.get("record") or {}
        remote_id = f", id {kept['remote_id']}" if "remote_id" in kept else ""
        lines.append(f"    {orphan.get('step', '?')}: {kept.get('status', '?')}{remote_id}")
        if orphan.get("reason"):
            lines.append(f"      reason: {orphan['reason']}")
    return "\n".join(lines)


def _outputs(kind: str, step: str, outputs: Mapping[str, Any]) -> list[str]:
    if not outputs:
        return []
    if step == "captions":
        lines = []
        for platform, text in outputs.items():
            if isinstance(text, Mapping):
                text = f"{text.get('title')} — {text.get('description')}"
            body = str(text).replace("\n", "\n" + " " * 8)
            lines.append(f"    {platform}: {body}")
        return lines
    if step == "images":
        return [f"    image {i.get('media_id')}  {i.get('url')}" for i in outputs.get("images", [])]
    if step == "download":
        return [
            f"    file {f.get('path')}  ({f.get('bytes')} bytes)" for f in outputs.get("files", [])
        ]
    if step == "render":
        return [f"    design {outputs.get('design_id')}  {outputs.get('name')!r}"]
    if step == "upload":
        return [f"    media {outputs.get('media_id')}  {outputs.get('file_name')}"]
    if step == "post":
        types = ", ".join(i.get("post_type", "?") for i in outputs.get("items", []))
        return [f"    post {outputs.get('post_id')} ({outputs.get('status')}): {types}"]
    if step == "publish":
        return [
            f"    {i.get('post_type')}: {i.get('status')} {i.get('platform_post_id', '')}".rstrip()
            for i in outputs.get("items", [])
        ]
    return []

"""An apply as text: each event as it happens, and the summary at the end (credits used
against the estimate, what failed, what is still running, what needs review)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from contentctl.report.text import credits_text

if TYPE_CHECKING:
    from contentctl.apply.results import ApplyResult, Event
    from contentctl.plan.diff import Plan
    from contentctl.plan.review import Held


def event(e: Event) -> str:
    where = f"{e.address}" + (f" {e.step}" if e.step else "")
    detail = {
        "submitted": f"submitted (job {e.remote_id})",
        "resumed": f"resuming job {e.remote_id}",
        "reconciled": e.message,
        "completed": "done"
        + (
            f" ({credits_text(e.credits)}{', submitted by an earlier apply' if e.earlier else ''})"
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
        f"; {credits_text(result.credits_earlier)} more for jobs an earlier apply submitted, "
        "collected now"
        if result.credits_earlier
        else ""
    )
    lines = [
        f"Apply finished: {result.steps_run} step(s) run, {credits_text(result.credits_used)} "
        f"used (estimated {credits_text(plan.credits)}){earlier}."
    ]
    for change in plan.changes:
        used = result.credits_by_resource.get(change.address, 0)
        before = result.credits_earlier_by_resource.get(change.address, 0)
        if not (change.credits or used or before):
            continue  # free: nothing to compare
        estimated = credits_text(change.credits)
        line = f"  {change.address}: {credits_text(used)} used, ~{estimated} estimated"
        if before:
            line += f" (and {credits_text(before)} for a job an earlier apply submitted)"
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

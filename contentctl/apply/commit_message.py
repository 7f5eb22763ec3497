"""The message of an apply's lockfile commit: what was done, counted by what happened, not by
what was planned (a failed update did not update anything)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contentctl.apply.results import ApplyResult
    from contentctl.plan.diff import Plan

VERBS = (
    ("create", "created"),
    ("update", "updated"),
    ("replace", "replaced"),
    ("delete", "deleted"),
    ("forget", "forgotten"),
    ("move", "moved"),
)


def commit_message(the_plan: Plan, result: ApplyResult) -> list[str]:
    """The lockfile commit's lines: a title that counts outcomes, then one line per change."""
    unfinished = {
        **{a: "skipped" for a in result.skipped},
        **{a: "not started" for a in result.not_started},
        **{r.address: "still running" for r in result.still_running},
        **{f.address: "failed" for f in result.failures},
    }
    done: dict[str, int] = {}
    for change in the_plan.changes:
        if change.moved_from:
            done["move"] = done.get("move", 0) + 1
        if change.action != "no-op" and change.address not in unfinished:
            done[change.action] = done.get(change.action, 0) + 1
    outcomes = [unfinished[c.address] for c in the_plan.changes if c.address in unfinished]
    parts = [f"{done[a]} {verb}" for a, verb in VERBS if done.get(a)]
    parts += [
        f"{outcomes.count(o)} {o}"
        for o in ("failed", "skipped", "still running", "not started")
        if o in outcomes
    ]
    title = "contentctl apply" + (" --generate" if the_plan.options.generate else "")
    title += " (interrupted)" if result.interrupted else ""
    head = ", ".join(parts) or "nothing done"
    lines = [f"{title}: {head}; {result.credits_used:g} credits [skip ci]", ""]
    for change in the_plan.changes:
        if change.action != "no-op" or change.moved_from:
            steps = ", ".join(s.name for s in change.running) or change.action
            outcome = f": {unfinished[change.address]}" if change.address in unfinished else ""
            lines.append(f"- {change.address}: {change.action} ({steps}){outcome}")
    if result.failures:
        lines += ["", "Failed: " + ", ".join(f.address for f in result.failures)]
    if result.still_running:
        lines += ["", "Still running: " + ", ".join(r.address for r in result.still_running)]
    return lines

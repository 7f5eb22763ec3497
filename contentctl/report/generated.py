"""The generated content, for the pull request comment: what reviewers must read before it
goes public. Captions per platform, image and slide links (the providers' URLs, when they are
public web addresses), schedule times in their time zone, what the merge does with each piece,
what changed since it was generated, and the credits each take cost on the branch
(``report.takes``); one resource's content is formatted by ``report.generated_content``.

Everything from a manifest or an API goes through ``markdown_safe`` (captions in fenced blocks,
names in code spans); a URL is shown only when it is a plain web (http or https) address, and
then only as a link target or an image source, HTML-escaped (a data URL or a path never is).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from contentctl.lockfile.records import ResourceRecord
from contentctl.plan.reasons import Why
from contentctl.plan.review import LOOKUPS
from contentctl.report.generated_content import content, shown_of
from contentctl.report.markdown_safe import code, text

if TYPE_CHECKING:
    from contentctl.graph import Graph
    from contentctl.lockfile.records import Lockfile
    from contentctl.plan.diff import Plan, ResourceChange
    from contentctl.plan.review import Held
    from contentctl.report.takes import Take

BUDGET = 20_000  # of the comment's 65,535 characters; the plan gets the rest


def section(
    plan: Plan,
    graph: Graph,
    lock: Lockfile,
    history: Sequence[Take] = (),
    budget: int = BUDGET,
) -> str:
    """The "Generated content" part of the comment; empty when nothing was generated yet."""
    # The pull request's own changes, and what the merge also runs (it may publish them).
    changes = {c.address: c for c in (*plan.changes, *plan.elsewhere)}
    held = {h.address: h for h in plan.held}
    blocks: list[str] = []
    left_out = 0
    used = 0
    head = _head(history)
    for address in graph.order:
        if address not in changes:
            continue
        resource = graph.resources[address]
        # Content may show before anything of its own was made: a Schedule's slides and
        # time, a Post's written captions.
        record = lock.resources.get(address) or ResourceRecord(resource.kind, "")
        shown = shown_of(resource, record)
        body = content(shown, graph, lock) if shown else []
        if not body or shown is None:
            continue
        goes_out = "schedules on merge" if shown.schedule is not None else "publishes on merge"
        status = _status(changes[address], record, held.get(address), goes_out)
        mine = [t for t in history if t.address == address]
        block = _block(address, status, body, mine)
        if used + len(block) + len(head) > budget:
            left_out += 1
            continue
        blocks.append(block)
        used += len(block)
    if not blocks and not left_out:
        return ""
    out = head + "".join(blocks)
    if left_out:
        out += (
            f"\n_{left_out:,} more generated resource{'' if left_out == 1 else 's'} left out "
            "to stay within GitHub's comment size: `contentctl show` or the preview has them._\n"
        )
    return out


def _head(history: Sequence[Take]) -> str:
    lines = ["", "### Generated content", ""]
    if history:
        spent = sum(t.credits for t in history)
        count = len(history)
        lines.append(
            f"Spent in this pull request so far: **{_credits(spent)} credits** "
            f"({count:,} paid result{'' if count == 1 else 's'} generated on its branch)."
        )
        lines.append("")
    lines.append(
        "Read it before it is merged: the merge publishes what is shown here, and nothing "
        "it would have to generate again."
    )
    return "\n".join(lines) + "\n"


def _block(address: str, status: str, body: Sequence[str], mine: Sequence[Take]) -> str:
    lines = [f"\n<details open><summary>{code(address)} · {text(status)}</summary>", ""]
    lines += body
    if mine:
        by_step: dict[str, list[float]] = {}
        for take in mine:
            by_step.setdefault(take.step, []).append(take.credits)
        parts = [
            f"{step} {len(spent)} take{'' if len(spent) == 1 else 's'} "
            f"({' + '.join(_credits(c) for c in spent)} credits)"
            for step, spent in by_step.items()
        ]
        lines += ["", "Takes on this branch: " + text("; ".join(parts))]
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _status(
    change: ResourceChange, record: ResourceRecord, held: Held | None, goes_out: str
) -> str:
    """What the merge does with it (``goes_out`` when it publishes), and whether what is
    shown is still current."""
    # Steps that made something before and must make it again: what is shown is outdated.
    stale = [
        s.name
        for s in change.running
        if s.action == "run" and not s.publishes and s.why is not Why.NEW and s.name not in LOOKUPS
    ]
    published = record.steps.get("publish")
    if stale:
        return (
            f"changed since it was generated ({', '.join(stale)}): this is the earlier take; "
            "generate again to see the new one"
        )
    if held is not None and held.needs_review:
        return "needs review: generate it in this pull request"
    if published is not None and published.status == "completed":
        return "published"
    if change.publishes:
        return goes_out
    return "draft, not published"


def _credits(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")

"""The generated content, for the pull request comment: what reviewers must read before it
goes public. Captions per platform, image and slide links (the providers' URLs, when they are
public web addresses), schedule times in their time zone, what the merge does with each piece,
what changed since it was generated, and the credits each take cost on the branch.

Everything from a manifest or an API goes through ``markdown_safe`` (captions in fenced blocks,
names in code spans); a URL is shown only when it is a plain web (http or https) address, and
then only as a link target or an image source, HTML-escaped (a data URL or a path never is).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from contentctl.kinds import KINDS
from contentctl.lockfile.records import ResourceRecord
from contentctl.plan.reasons import Why
from contentctl.plan.review import LOOKUPS
from contentctl.report.markdown_safe import code, fenced, text

if TYPE_CHECKING:
    from contentctl.graph import Graph
    from contentctl.kinds.kind import Content
    from contentctl.lockfile.records import Lockfile
    from contentctl.model import Resource
    from contentctl.plan.diff import Plan, ResourceChange
    from contentctl.plan.review import Held

BUDGET = 20_000  # of the comment's 65,535 characters; the plan gets the rest
CAPTION_LIMIT = 3_000
LINKS_SHOWN = 10
PLATFORMS = {
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "x": "X",
    "facebook": "Facebook",
    "youtube": "YouTube",
    "threads": "Threads",
    "common": "All platforms",
}


@dataclass(frozen=True)
class Take:
    """One paid result a commit of the branch recorded: a step's new remote object."""

    commit: str
    address: str
    step: str
    remote_id: str
    credits: float


def takes(versions: Sequence[tuple[str, Lockfile]], base: Lockfile | None = None) -> list[Take]:
    """The paid results the branch's commits added, oldest first. ``versions`` start with
    the lockfile where the branch began; ids the base branch has now (``base``) are its own
    records, merged in, not this branch's."""
    if not versions:
        return []
    known = _ids(versions[0][1]) | (_ids(base) if base is not None else set())
    found: list[Take] = []
    for (_, _before), (commit, after) in pairwise(versions):
        for address, record in sorted(after.resources.items()):
            for name, step in record.steps.items():
                if not step.remote_id or step.remote_id in known or step.status != "completed":
                    continue
                known.add(step.remote_id)
                if step.credits_used:
                    found.append(Take(commit, address, name, step.remote_id, step.credits_used))
    return found


def _ids(lock: Lockfile) -> set[str]:
    return {s.remote_id for r in lock.resources.values() for s in r.steps.values() if s.remote_id}


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
        shown = _shown(resource, record)
        body = _content(shown, graph, lock) if shown else []
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


def _content(shown: Content, graph: Graph, lock: Lockfile) -> list[str]:
    lines = _captions(shown.captions)
    lines += _links("Images", [str(i["url"]) for i in shown.images if i.get("url")])
    for ref in shown.uses:
        used = graph.resources.get(ref)
        slides = _shown(used, lock.resources.get(ref)) if used else None
        lines += _links(f"Slides from {code(ref)}", slides.slides if slides else ())
    lines += _links("Slides", shown.slides)
    if shown.editor_url and _is_web_url(shown.editor_url):
        lines += ["", f'<a href="{html.escape(shown.editor_url)}">Open in the PostNitro editor</a>']
    if shown.schedule is not None:
        status = text(str(shown.schedule["status"]))
        when = text(_when(shown.schedule["written"], shown.schedule["time_zone"]))
        lines += ["", f"**When:** {when} · {status}"]
    return lines


def _shown(resource: Resource, record: ResourceRecord | None) -> Content | None:
    show = KINDS[resource.kind].content
    return show(resource, record, Path(".")) if show else None


def _captions(captions: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for platform, caption in captions.items():
        if isinstance(caption, Mapping):  # YouTube: a title and a description
            value = "\n\n".join(str(v) for v in caption.values() if v)
        else:
            value = str(caption)
        if len(value) > CAPTION_LIMIT:
            value = value[: CAPTION_LIMIT - 1] + "…"
        name = PLATFORMS.get(str(platform), str(platform))
        lines += ["", f"**{text(name)}**", "", *fenced([value], "text")]
    return lines


def _links(title: str, urls: Iterable[str]) -> list[str]:
    urls = list(urls)
    if not urls:
        return []
    shown = [u for u in urls if _is_web_url(u)][:LINKS_SHOWN]
    thumbs = " ".join(
        f'<a href="{html.escape(u)}"><img src="{html.escape(u)}" width="120" alt="{i}"></a>'
        for i, u in enumerate(shown, 1)
    )
    hidden = len(urls) - len(shown)
    note = f" ({hidden} not at a public web address: see the preview artifact)" if hidden else ""
    return ["", f"**{title}** ({len(urls)}){note}", "", thumbs] if thumbs else ["", title + note]


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("https", "http")
        and bool(parts.hostname)
        and not set(url) & set("()[] <>\"'`\\")
        and len(url) < 2_000
    )


def _when(at: Any, zone: Any) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from contentctl.validate.semantic import schedule_time

    try:
        moment: datetime = schedule_time({"at": at, **({"time_zone": zone} if zone else {})})
    except (ValueError, TypeError):
        return str(at)
    utc = moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M UTC")
    if not isinstance(zone, str):
        return utc
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return utc
    return f"{local:%Y-%m-%d %H:%M} {zone} ({utc})"


def _credits(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")

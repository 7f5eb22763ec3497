"""One resource's generated content as Markdown, for the pull request comment: captions per
platform, image and slide links (only plain web addresses, HTML-escaped), the editor link,
and a schedule's time in its time zone."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from contentctl.kinds import KINDS
from contentctl.report.markdown_safe import code, fenced, text

if TYPE_CHECKING:
    from contentctl.graph import Graph
    from contentctl.kinds.kind import Content
    from contentctl.lockfile.records import Lockfile, ResourceRecord
    from contentctl.model import Resource

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


def content(shown: Content, graph: Graph, lock: Lockfile) -> list[str]:
    lines = _captions(shown.captions)
    lines += _links("Images", [str(i["url"]) for i in shown.images if i.get("url")])
    for ref in shown.uses:
        used = graph.resources.get(ref)
        slides = shown_of(used, lock.resources.get(ref)) if used else None
        lines += _links(f"Slides from {code(ref)}", slides.slides if slides else ())
    lines += _links("Slides", shown.slides)
    if shown.editor_url and _is_web_url(shown.editor_url):
        lines += ["", f'<a href="{html.escape(shown.editor_url)}">Open in the PostNitro editor</a>']
    if shown.schedule is not None:
        status = text(str(shown.schedule["status"]))
        when = text(_when(shown.schedule["written"], shown.schedule["time_zone"]))
        lines += ["", f"**When:** {when} · {status}"]
    return lines


def shown_of(resource: Resource, record: ResourceRecord | None) -> Content | None:
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

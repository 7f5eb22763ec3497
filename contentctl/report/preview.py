"""A static HTML page of the content, for reviewers: each post as a card per platform
(caption, images, post type), each carousel as its slides. Everything is inlined, so the
page makes no request of its own and can be opened from a CI artifact."""

from __future__ import annotations

import base64
import html
import mimetypes
from collections.abc import Collection, Mapping
from pathlib import Path

from contentctl.graph import Graph
from contentctl.kinds import KINDS
from contentctl.kinds.kind import Content
from contentctl.lockfile.records import Lockfile, ResourceRecord
from contentctl.model import Resource

STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;background:#f4f5f7;color:#111}
h1{margin:0 0 4px} .sub{color:#555;margin-bottom:24px}
section{background:#fff;border-radius:12px;padding:16px 20px;margin:0 0 20px;
box-shadow:0 1px 3px #0002} h2{margin:0 0 12px;font-size:18px}
.cards{display:flex;flex-wrap:wrap;gap:14px} .card{width:300px;border:1px solid #ddd;
border-radius:10px;padding:10px;background:#fafafa} .platform{font-weight:700}
.types{color:#666;font-size:12px} .caption{white-space:pre-wrap;font-size:14px;margin:8px 0}
img{max-width:100%;border-radius:6px} .slides{display:flex;gap:10px;overflow-x:auto}
.slides img{width:220px} .pending{color:#a15c00;font-style:italic}
section.changed{border-left:6px solid #d97706}
section.changed h2::after{content:" · changed in this pull request";color:#b45309;font-size:13px}
"""


def data_uri(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def page(
    title: str,
    graph: Graph,
    lock: Lockfile,
    root: Path,
    images: Mapping[str, str],
    missing: Mapping[str, str] | None = None,
    changed: Collection[str] = (),
) -> str:
    """The page; ``images`` maps PowerPost media ids to data URIs fetched beforehand,
    ``missing`` those that could not be to why (each shows as a placeholder). Resources in
    ``changed`` (a pull request's) are highlighted."""
    sections = []
    for address in graph.order:
        resource = graph.resources[address]
        shown = _shown(resource, lock.resources.get(address), root)
        if shown is None or not shown.standalone:
            continue
        if shown.schedule is not None:
            part = _schedule(address, shown)
        elif shown.platforms:
            pictures = _pictures(shown, images, graph, lock, root)
            part = _cards(address, shown, pictures, _placeholders(shown, missing or {}))
        else:
            part = _slides(address, shown, root)
        if address in changed:
            part = part.replace("<section>", "<section class='changed'>", 1)
        sections.append(part)
    esc = html.escape
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<style>{STYLE}</style></head><body><h1>{esc(title)}</h1>"
        f"<div class='sub'>{len(sections)} pieces of content · contentctl preview</div>"
        + "".join(sections)
        + "</body></html>\n"
    )


def _shown(resource: Resource, record: ResourceRecord | None, root: Path) -> Content | None:
    show = KINDS[resource.kind].content
    return show(resource, record, root) if show else None


def _pictures(
    shown: Content, images: Mapping[str, str], graph: Graph, lock: Lockfile, root: Path
) -> list[str]:
    """Its generated images fetched beforehand, then what the resources it uses show: a
    file, a carousel's PNG slides (a video shows none)."""
    ids = [str(i.get("media_id")) for i in shown.images]
    pictures = [images[m] for m in ids if m in images]
    for ref in shown.uses:
        used = graph.resources.get(ref)
        content = _shown(used, lock.resources.get(ref), root) if used else None
        if content is None:
            continue
        files = [root / str(f.get("path", "")) for f in content.files]
        paths = [p for p in (*content.pictures, *files) if p.is_file()]
        pictures += [
            data_uri(p.read_bytes(), mimetypes.guess_type(p.name)[0] or "image/png")
            for p in paths
            if p.suffix != ".pdf"
        ]
    return pictures


def _placeholders(shown: Content, missing: Mapping[str, str]) -> str:
    esc = html.escape
    ids = [str(i.get("media_id")) for i in shown.images]
    return "".join(
        f"<div class='card pending'>image {esc(m)}: {esc(missing[m])}</div>"
        for m in ids
        if m in missing
    )


def _cards(address: str, shown: Content, pictures: list[str], placeholders: str) -> str:
    """A card per platform: its caption, the pictures, its post types."""
    esc = html.escape
    cards = []
    for platform, types in shown.platforms.items():
        text = shown.captions.get(platform)
        if isinstance(text, Mapping):
            text = f"{text.get('title', '')}\n\n{text.get('description', '')}"
        caption = (
            f"<div class='caption'>{esc(str(text))}</div>"
            if text
            else "<div class='caption pending'>generated on apply</div>"
        )
        picture = placeholders + "".join(
            f"<img alt='image of {esc(address)}' src='{src}'>" for src in pictures
        )
        cards.append(
            f"<div class='card'><div class='platform'>{esc(platform)}</div>"
            f"<div class='types'>{esc(', '.join(types))}</div>{caption}{picture}</div>"
        )
    return f"<section><h2>{esc(address)}</h2><div class='cards'>{''.join(cards)}</div></section>"


def _schedule(address: str, shown: Content) -> str:
    esc = html.escape
    when = shown.schedule or {}
    accounts = ", ".join(
        f"{platform} @{handle}"
        for platform, handles in (when.get("accounts") or {}).items()
        for handle in handles
    )
    captions = "".join(
        f"<div class='caption'><b>{esc(k)}</b>: {esc(str(v))}</div>"
        for k, v in shown.captions.items()
    )
    return (
        f"<section><h2>{esc(address)}</h2><div class='card'>"
        f"<div class='platform'>{esc(str(when.get('status')))} · "
        f"{esc(str(when.get('at')))}</div>"
        f"<div class='types'>{esc(when.get('carousel') or 'no design')} → "
        f"{esc(accounts or 'no accounts')}</div>{captions}</div></section>"
    )


def _slides(address: str, shown: Content, root: Path) -> str:
    esc = html.escape
    slides = []
    for item in shown.files:
        path = root / str(item.get("path", ""))
        if path.suffix == ".png" and path.is_file():
            slides.append(
                f"<img alt='slide of {esc(address)}' "
                f"src='{data_uri(path.read_bytes(), 'image/png')}'>"
            )
        elif path.is_file():
            slides.append(f"<div class='card'>PDF: {esc(item.get('path', ''))}</div>")
    if not slides:
        slides = [
            f"<div class='card'><b>{esc(str(s.get('heading', '')))}</b><div "
            f"class='pending'>{esc(s.get('type', ''))}: rendered on apply</div></div>"
            for s in shown.drafts
            if isinstance(s, Mapping)
        ] or ["<div class='card pending'>generated on apply</div>"]
    return f"<section><h2>{esc(address)}</h2><div class='slides'>{''.join(slides)}</div></section>"

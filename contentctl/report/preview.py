"""A static HTML page of the content, for reviewers: each post as a card per platform
(caption, images, post type), each carousel as its slides. Everything is inlined, so the
page makes no request of its own and can be opened from a CI artifact."""

from __future__ import annotations

import base64
import html
import mimetypes
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from contentctl.captions import POST_TYPE_PLATFORM
from contentctl.graph import Graph
from contentctl.lockfile import Lockfile
from contentctl.validate.semantic import media_path

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
        record = lock.resources.get(address)
        steps = record.steps if record else {}
        if resource.kind == "Post":
            part = _post(address, resource.spec, steps, images, missing or {}, graph, lock, root)
        elif resource.kind == "Carousel":
            part = _carousel(address, resource.spec, steps, root)
        elif resource.kind == "Schedule":
            part = _schedule(address, resource.spec, steps)
        else:
            continue
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


def _post(
    address: str,
    spec: Mapping[str, Any],
    steps: Mapping[str, Any],
    images: Mapping[str, str],
    missing: Mapping[str, str],
    graph: Graph,
    lock: Lockfile,
    root: Path,
) -> str:
    esc = html.escape
    captions = (
        steps["captions"].outputs
        if "captions" in steps and steps["captions"].status == "completed"
        else {}
    )
    literal = (spec.get("captions") or {}).get("text") or {}
    generated = steps["images"].outputs.get("media_ids", []) if "images" in steps else []
    pictures = [images[m] for m in generated if m in images]
    placeholders = "".join(
        f"<div class='card pending'>image {esc(m)}: {esc(missing[m])}</div>"
        for m in generated
        if m in missing
    )
    for ref in (spec.get("images") or {}).get("media", []):
        pictures.extend(_media_pictures(ref, graph, lock, root))
    by_platform: dict[str, list[str]] = {}
    for post_type in spec.get("post_types", []):
        by_platform.setdefault(POST_TYPE_PLATFORM.get(post_type, post_type), []).append(post_type)
    cards = []
    for platform, types in by_platform.items():
        text = captions.get(platform, literal.get(platform))
        if isinstance(text, Mapping):
            text = f"{text.get('title', '')}\n\n{text.get('description', '')}"
        shown = (
            f"<div class='caption'>{esc(str(text))}</div>"
            if text
            else "<div class='caption pending'>generated on apply</div>"
        )
        picture = placeholders + "".join(
            f"<img alt='image of {esc(address)}' src='{src}'>" for src in pictures
        )
        cards.append(
            f"<div class='card'><div class='platform'>{esc(platform)}</div>"
            f"<div class='types'>{esc(', '.join(types))}</div>{shown}{picture}</div>"
        )
    return f"<section><h2>{esc(address)}</h2><div class='cards'>{''.join(cards)}</div></section>"


def _media_pictures(ref: str, graph: Graph, lock: Lockfile, root: Path) -> list[str]:
    """What a Post's media reference shows: the file, a carousel's slides; videos as none."""
    media = graph.resources.get(ref)
    if media is None or media.kind == "Video":
        return []
    if media.kind == "Carousel":
        download = lock.step(ref, "download")
        paths = [
            root / str(f.get("path", ""))
            for f in (download.outputs if download else {}).get("files", [])
        ]
        return [
            data_uri(p.read_bytes(), "image/png")
            for p in paths
            if p.suffix == ".png" and p.is_file()
        ]
    path = media_path(root, media)
    if not path.is_file():
        return []
    return [data_uri(path.read_bytes(), mimetypes.guess_type(path.name)[0] or "image/png")]


def _schedule(address: str, spec: Mapping[str, Any], steps: Mapping[str, Any]) -> str:
    esc = html.escape
    sent = steps["schedule"].inputs if "schedule" in steps else {}
    accounts = ", ".join(
        f"{platform} @{handle}"
        for platform, handles in (spec.get("accounts") or {}).items()
        for handle in handles
    )
    captions = "".join(
        f"<div class='caption'><b>{esc(k)}</b>: {esc(str(v))}</div>"
        for k, v in (spec.get("captions") or {}).items()
    )
    return (
        f"<section><h2>{esc(address)}</h2><div class='card'>"
        f"<div class='platform'>{esc(str(spec.get('status', 'DRAFT')))} · "
        f"{esc(str(sent.get('at', spec.get('at'))))}</div>"
        f"<div class='types'>{esc(spec.get('carousel', 'no design'))} → "
        f"{esc(accounts or 'no accounts')}</div>{captions}</div></section>"
    )


def _carousel(address: str, spec: Mapping[str, Any], steps: Mapping[str, Any], root: Path) -> str:
    esc = html.escape
    files = steps["download"].outputs.get("files", []) if "download" in steps else []
    slides = []
    for item in files:
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
            for s in spec.get("slides") or ([spec["slide"]] if "slide" in spec else [])
        ] or ["<div class='card pending'>generated on apply</div>"]
    return f"<section><h2>{esc(address)}</h2><div class='slides'>{''.join(slides)}</div></section>"

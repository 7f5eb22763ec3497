"""Checks a schema cannot express: per-resource rules that span fields, and files on disk."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from contentctl.captions import POST_TYPE_PLATFORM
from contentctl.model import Diagnostic, JsonPath, Resource
from contentctl.validate import captions, urls

IMAGE_EXTENSIONS = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
VIDEO_EXTENSIONS = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm"}
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 500 * 1024 * 1024


def media_path(root: Path, resource: Resource) -> Path:
    """The file a Media manifest names, relative to the manifest's folder."""
    manifest_dir = PurePosixPath(resource.source_file).parent
    return root / Path(str(manifest_dir / str(resource.spec["file"])))


def media_type(resource: Resource) -> str:
    explicit = resource.spec.get("type")
    if isinstance(explicit, str):
        return explicit
    suffix = PurePosixPath(str(resource.spec["file"])).suffix.lower()
    return "video" if suffix in VIDEO_EXTENSIONS else "image"


def check_resource(
    root: Path, resource: Resource, others: Mapping[str, Resource] | None = None
) -> Iterator[Diagnostic]:
    """Checks a schema cannot express; ``others`` (by address) for cross-resource ones."""
    checks = {"Media": _media, "Post": _post, "Carousel": _carousel, "Schedule": _schedule}
    check = checks.get(resource.kind)
    if check:
        yield from check(root, resource)
    if resource.kind == "Post" and others is not None:
        yield from _post_media(resource, others)
    yield from captions.check(resource)
    yield from _urls(resource)


def schedule_time(spec: Mapping[str, Any]) -> datetime:
    """A Schedule's ``at`` as an aware UTC datetime (``time_zone`` gives local times a zone).

    Raises ValueError for a time with neither an offset nor a zone, or an unknown zone.
    """
    moment = datetime.fromisoformat(str(spec["at"]).replace("Z", "+00:00"))
    zone_name = spec.get("time_zone")
    if moment.tzinfo is None:
        if not zone_name:
            raise ValueError("has no time zone")
        try:
            zone = zoneinfo.ZoneInfo(str(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"time_zone {zone_name!r} is not a known time zone") from exc
        moment = moment.replace(tzinfo=zone)
    elif zone_name:
        raise ValueError("has an offset and a time_zone")
    return moment.astimezone(timezone.utc)


def utc_text(moment: datetime) -> str:
    """How PostNitro wants times: UTC with a trailing Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _url_fields(resource: Resource) -> Iterator[tuple[JsonPath, Any]]:
    spec = resource.spec
    if resource.kind == "Post":
        for i, url in enumerate((spec.get("captions") or {}).get("source_urls", [])):
            yield ("spec", "captions", "source_urls", i), url
    if resource.kind == "Carousel":
        for i, slide in enumerate(spec.get("slides") or []):
            for key in ("image", "background_image"):
                if isinstance(slide, dict) and key in slide:
                    yield ("spec", "slides", i, key), slide[key]
        single = spec.get("slide") or {}
        for key in ("image", "background_image"):
            if key in single:
                yield ("spec", "slide", key), single[key]
        generate = spec.get("generate") or {}
        if generate.get("type") in ("article", "x"):
            yield ("spec", "generate", "context"), generate.get("context")
    if resource.kind == "Brand":
        yield ("spec", "image"), spec.get("image")


def _urls(resource: Resource) -> Iterator[Diagnostic]:
    """URLs the APIs will fetch: https, and never an internal address."""
    for path, url in _url_fields(resource):
        why = urls.problem(str(url))
        if why:
            yield Diagnostic(
                resource.document.positions.of(path),
                f"{url!r} {why}",
                json_path=path,
                hint="only public https URLs: the API's servers fetch them",
            )


def _media(root: Path, resource: Resource) -> Iterator[Diagnostic]:
    at = resource.document.positions.of(("spec", "file"))
    path = media_path(root, resource)
    try:
        resolved = path.resolve()
        resolved.relative_to(root.resolve())
    except ValueError:
        yield Diagnostic(
            at,
            f"{resource.spec['file']} is outside the project",
            hint="keep media files inside the project, e.g. in assets/",
        )
        return
    if resolved.exists() and not resolved.is_file():
        yield Diagnostic(
            at,
            f"media file {resource.spec['file']} is not a regular file "
            "(a folder, a pipe or a device)",
            hint="point at an image or video file",
        )
        return
    if not resolved.is_file():
        yield Diagnostic(
            at,
            f"media file {resource.spec['file']} does not exist "
            f"(looked for {path.relative_to(root).as_posix()})",
            hint="paths are relative to the manifest's folder",
        )
        return
    suffix = resolved.suffix.lower()
    kind = media_type(resource)
    allowed = IMAGE_EXTENSIONS if kind == "image" else VIDEO_EXTENSIONS
    if suffix not in allowed:
        yield Diagnostic(at, f"{kind} files must be {', '.join(sorted(allowed))}; got {suffix}")
        return
    if not _looks_like(resolved, suffix):
        yield Diagnostic(
            at,
            f"{resource.spec['file']} is not a {suffix[1:].upper()} file "
            "(its first bytes say otherwise)",
            hint="export it again in the format its name says",
        )
        return
    limit = MAX_IMAGE_BYTES if kind == "image" else MAX_VIDEO_BYTES
    size = resolved.stat().st_size
    if size > limit:
        yield Diagnostic(
            at,
            f"{resource.spec['file']} is {size / 1024 / 1024:.1f} MB; "
            f"PowerPost accepts {kind}s up to {limit // 1024 // 1024} MB",
        )


def _post(root: Path, resource: Resource) -> Iterator[Diagnostic]:
    spec = resource.spec
    where = resource.document.positions
    post_types = list(spec.get("post_types", []))
    platforms = {POST_TYPE_PLATFORM[t] for t in post_types if t in POST_TYPE_PLATFORM}
    items = {
        item.get("post_type"): item for item in spec.get("items", []) if isinstance(item, dict)
    }
    for i, item in enumerate(spec.get("items", [])):
        if isinstance(item, dict) and item.get("post_type") not in post_types:
            yield Diagnostic(
                where.of(("spec", "items", i, "post_type")),
                f"item for {item.get('post_type')} but that type is not in spec.post_types",
                hint="add it to post_types or remove the item",
            )
    captions = spec.get("captions") or {}
    literal = captions.get("text")
    if isinstance(literal, dict):
        for extra in ("research_mode", "media", "writing_style_id", "cta_text", "source_urls"):
            if extra in captions:
                yield Diagnostic(
                    where.of(("spec", "captions", extra), key=True),
                    f"captions.{extra} applies only to generated captions (prompt)",
                    hint="remove it, or replace captions.text with captions.prompt",
                )
        for post_type in post_types:
            platform = POST_TYPE_PLATFORM.get(post_type)
            if platform not in literal and "content" not in items.get(post_type, {}):
                yield Diagnostic(
                    where.of(("spec", "captions", "text")),
                    f"no caption for {post_type}: captions.text has no '{platform}'",
                    hint=f"add captions.text.{platform}, or an item with content",
                )
        for platform in sorted(set(literal) - platforms):
            yield Diagnostic(
                where.of(("spec", "captions", "text", platform), key=True),
                f"caption for {platform}, but no post type of that platform is listed",
                severity="warning",
            )
    if not captions:
        for post_type in post_types:
            if "content" not in items.get(post_type, {}):
                yield Diagnostic(
                    where.of(("spec",)),
                    f"no caption for {post_type}: spec.captions is missing",
                    hint="add captions.prompt (generated) or captions.text (literal)",
                )
    for post_type in post_types:
        if POST_TYPE_PLATFORM.get(post_type) == "youtube" and "prompt" not in captions:
            has_title = "title" in items.get(post_type, {}) or (
                isinstance(literal, dict) and isinstance(literal.get("youtube"), dict)
            )
            if not has_title:
                yield Diagnostic(
                    where.of(("spec", "post_types")),
                    f"{post_type} needs a title",
                    hint=f"add an item {{post_type: {post_type}, title: ...}}",
                )
    images = spec.get("images") or {}
    if images and "media" in images:
        for extra in sorted(set(images) - {"media"}):
            yield Diagnostic(
                where.of(("spec", "images", extra), key=True),
                f"images.{extra} has no effect with images.media (no images are generated)",
                hint="remove it, or remove images.media to generate images",
            )
    elif images and "prompt" not in images and "prompt" not in captions:
        yield Diagnostic(
            where.of(("spec", "images")),
            "images need a prompt when captions are not generated",
            hint="add images.prompt, or use captions.prompt so images illustrate them",
        )


def post_media(spec: Mapping[str, Any]) -> list[tuple[JsonPath, str]]:
    """Every media reference of a Post (images.media, then items' media), with its path."""
    found: list[tuple[JsonPath, str]] = []
    for i, ref in enumerate((spec.get("images") or {}).get("media", [])):
        found.append((("spec", "images", "media", i), ref))
    for i, item in enumerate(spec.get("items", [])):
        for j, ref in enumerate(item.get("media", []) if isinstance(item, dict) else []):
            found.append((("spec", "items", i, "media", j), ref))
    return found


def post_references(spec: Mapping[str, Any]) -> list[str]:
    """A Post's media references, each once, in the order written."""
    return list(dict.fromkeys(ref for _, ref in post_media(spec)))


def post_carousels(spec: Mapping[str, Any]) -> list[str]:
    """The carousels whose slides a Post uses, in the order its slides step uploads them."""
    return [r for r in post_references(spec) if r.startswith("carousel/")]


def _post_media(resource: Resource, others: Mapping[str, Resource]) -> Iterator[Diagnostic]:
    """Carousel slides become PowerPost images only when the carousel renders PNG."""
    for path, ref in post_media(resource.spec):
        target = others.get(ref)
        if target is None or target.kind != "Carousel":
            continue
        response = target.spec.get("response_type", "PNG")
        if response != "PNG":
            yield Diagnostic(
                resource.document.positions.of(path),
                f"{ref} renders {response}; a post can use only PNG slides",
                json_path=path,
                hint=f"set response_type: PNG on {ref}",
            )


def _schedule(root: Path, resource: Resource) -> Iterator[Diagnostic]:
    spec = resource.spec
    where = resource.document.positions
    try:
        schedule_time(spec)
    except ValueError as exc:
        yield Diagnostic(
            where.of(("spec", "at")),
            f"at {spec['at']!r} {exc}",
            hint="write an offset (2026-12-01T09:00:00+01:00, or Z for UTC), "
            "or a local time with time_zone: Europe/Paris",
        )
    accounts = spec.get("accounts") or {}
    if "tiktok" in accounts and "tiktok" not in spec:
        yield Diagnostic(
            where.of(("spec", "accounts", "tiktok"), key=True),
            "posting to TikTok needs spec.tiktok with its disclosure flags",
            hint="add tiktok: {ai_generated: true|false} (and privacy, allow_comments, ...)",
        )
    if spec.get("status") == "SCHEDULED" and accounts and not spec.get("carousel"):
        # What PostNitro's own CLI warns of (postnitro/postnitro-agent
        # src/lib/schedule-warnings.ts:16-21): accepted, but it looks done and is not.
        yield Diagnostic(
            where.of(("spec", "status")),
            "no carousel: the post is published with its captions only",
            severity="warning",
            hint="add carousel: carousel/<name>, or remove accounts for a captions-only draft",
        )
    if spec.get("status") == "SCHEDULED" and not accounts:
        yield Diagnostic(
            where.of(("spec", "status")),
            "status SCHEDULED with no accounts publishes nowhere",
            severity="warning",
            hint="add accounts: {linkedin: [handle], ...}, or keep it a DRAFT",
        )
    for platform in ("linkedin", "instagram", "tiktok", "threads"):
        if platform in spec and platform not in accounts:
            yield Diagnostic(
                where.of(("spec", platform), key=True),
                f"settings for {platform}, but no {platform} account is selected",
                severity="warning",
                hint=f"add accounts.{platform}, or remove spec.{platform}",
            )


def _carousel(root: Path, resource: Resource) -> Iterator[Diagnostic]:
    slides = resource.spec.get("slides")
    if not isinstance(slides, list) or not slides:
        return
    where = resource.document.positions
    last = len(slides) - 1
    if isinstance(slides[last], dict) and slides[last].get("type") != "ending_slide":
        yield Diagnostic(
            where.of(("spec", "slides", last)),
            "the last slide must be the ending_slide",
            hint="move the ending_slide to the end of the list",
        )
    for i, slide in enumerate(slides[1:last], start=1):
        if isinstance(slide, dict) and slide.get("type") in ("starting_slide", "ending_slide"):
            yield Diagnostic(
                where.of(("spec", "slides", i, "type")),
                f"{slide['type']} must be the "
                f"{'first' if slide['type'] == 'starting_slide' else 'last'} slide",
            )


def _looks_like(path: Path, suffix: str) -> bool:
    """The file's magic bytes match its extension (a renamed file would be refused remotely)."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if suffix == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if suffix in (".mp4", ".mov"):
        return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")
    if suffix == ".webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    return True

"""A Post's checks beyond its schema: a caption for every post type, titles where YouTube
needs them, image options that apply, carousels it can post, captions within the platforms'
limits and source URLs PowerPost can fetch."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from contentctl.captions import POST_TYPE_PLATFORM
from contentctl.model import Diagnostic, Resource
from contentctl.validate import captions as captions_check
from contentctl.validate.semantic import post_media, url_problems


def check(
    root: Path, resource: Resource, others: Mapping[str, Resource] | None
) -> Iterator[Diagnostic]:
    """What a Post's schema cannot express: fields that depend on each other, slides it can
    use, captions against platform limits, the URLs PowerPost fetches."""
    yield from _fields(resource)
    if others is not None:
        yield from _carousel_slides(resource, others)
    yield from captions_check.post(resource)
    sources = (resource.spec.get("captions") or {}).get("source_urls", [])
    urls = ((("spec", "captions", "source_urls", i), url) for i, url in enumerate(sources))
    yield from url_problems(resource, urls)


def _fields(resource: Resource) -> Iterator[Diagnostic]:
    spec = resource.spec
    post_types = list(spec.get("post_types", []))
    items = {
        item.get("post_type"): item for item in spec.get("items", []) if isinstance(item, dict)
    }
    captions = spec.get("captions") or {}
    yield from _items(resource, post_types)
    yield from _captions_given(resource, post_types, items, captions)
    yield from _titles(resource, post_types, items, captions)
    yield from _images_asked(resource, captions)


def _items(resource: Resource, post_types: list[str]) -> Iterator[Diagnostic]:
    for i, item in enumerate(resource.spec.get("items", [])):
        if isinstance(item, dict) and item.get("post_type") not in post_types:
            yield Diagnostic(
                resource.document.positions.of(("spec", "items", i, "post_type")),
                f"item for {item.get('post_type')} but that type is not in spec.post_types",
                hint="add it to post_types or remove the item",
            )


def _captions_given(
    resource: Resource,
    post_types: list[str],
    items: Mapping[Any, Mapping[str, Any]],
    captions: Mapping[str, Any],
) -> Iterator[Diagnostic]:
    """Every post type has a caption: generated, literal, or its item's content."""
    where = resource.document.positions
    literal = captions.get("text")
    if not captions:
        for post_type in post_types:
            if "content" not in items.get(post_type, {}):
                yield Diagnostic(
                    where.of(("spec",)),
                    f"no caption for {post_type}: spec.captions is missing",
                    hint="add captions.prompt (generated) or captions.text (literal)",
                )
    if not isinstance(literal, dict):
        return
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
    platforms = {POST_TYPE_PLATFORM[t] for t in post_types if t in POST_TYPE_PLATFORM}
    for platform in sorted(set(literal) - platforms):
        yield Diagnostic(
            where.of(("spec", "captions", "text", platform), key=True),
            f"caption for {platform}, but no post type of that platform is listed",
            severity="warning",
        )


def _titles(
    resource: Resource,
    post_types: list[str],
    items: Mapping[Any, Mapping[str, Any]],
    captions: Mapping[str, Any],
) -> Iterator[Diagnostic]:
    """YouTube needs a title unless captions are generated."""
    literal = captions.get("text")
    for post_type in post_types:
        if POST_TYPE_PLATFORM.get(post_type) != "youtube" or "prompt" in captions:
            continue
        has_title = "title" in items.get(post_type, {}) or (
            isinstance(literal, dict) and isinstance(literal.get("youtube"), dict)
        )
        if not has_title:
            yield Diagnostic(
                resource.document.positions.of(("spec", "post_types")),
                f"{post_type} needs a title",
                hint=f"add an item {{post_type: {post_type}, title: ...}}",
            )


def _images_asked(resource: Resource, captions: Mapping[str, Any]) -> Iterator[Diagnostic]:
    where = resource.document.positions
    images = resource.spec.get("images") or {}
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


def _carousel_slides(resource: Resource, others: Mapping[str, Resource]) -> Iterator[Diagnostic]:
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

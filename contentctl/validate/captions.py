"""Literal captions against each platform's documented limit, counted as the platform
counts them (X by weight), so that a caption is refused here and not at publishing time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from contentctl.captions import (
    PLATFORM_LIMITS,
    PLATFORM_NAMES,
    POST_TYPE_PLATFORM,
    X_RULE,
    length,
)
from contentctl.model import Diagnostic, JsonPath, Resource

SCHEDULE_PLATFORMS = ("linkedin", "instagram", "tiktok", "threads")


def post(resource: Resource) -> Iterator[Diagnostic]:
    """Every literal caption of a Post that its platform would refuse."""
    spec = resource.spec
    literal = (spec.get("captions") or {}).get("text")
    if isinstance(literal, Mapping):
        for platform, text in literal.items():
            path: JsonPath = ("spec", "captions", "text", platform)
            if isinstance(text, Mapping):  # YouTube: the schema limits the title
                yield from _limit(
                    resource, (*path, "description"), text.get("description"), platform
                )
            else:
                yield from _limit(resource, path, text, platform)
    for i, item in enumerate(spec.get("items") or []):
        if not isinstance(item, Mapping):
            continue
        platform = POST_TYPE_PLATFORM.get(str(item.get("post_type")))
        if platform is None:
            continue
        yield from _limit(resource, ("spec", "items", i, "content"), item.get("content"), platform)


def schedule(resource: Resource) -> Iterator[Diagnostic]:
    """Every literal caption of a Schedule that its platform would refuse."""
    spec = resource.spec
    captions = spec.get("captions") or {}
    if not isinstance(captions, Mapping):
        return
    for platform, text in captions.items():
        if platform != "common":
            yield from _limit(resource, ("spec", "captions", platform), text, platform)
    # common is the caption of every selected platform that has none of its own: it must
    # fit the strictest of them.
    accounts = spec.get("accounts") or {}
    using = [p for p in SCHEDULE_PLATFORMS if p in accounts and p not in captions]
    if "common" in captions and using:
        strictest = min(using, key=lambda p: PLATFORM_LIMITS[p])
        yield from _limit(
            resource,
            ("spec", "captions", "common"),
            captions["common"],
            strictest,
            why=f" (the caption of {', '.join(PLATFORM_NAMES[p] for p in using)})",
        )


def _limit(
    resource: Resource, path: JsonPath, text: Any, platform: str, why: str = ""
) -> Iterator[Diagnostic]:
    limit = PLATFORM_LIMITS.get(platform)
    if not isinstance(text, str) or limit is None:
        return
    size = length(text, platform)
    if size <= limit:
        return
    name = PLATFORM_NAMES[platform]
    counted = f"{size} weighted characters ({X_RULE})" if platform == "x" else f"{size} characters"
    where = ".".join(str(p) for p in path[1:])
    yield Diagnostic(
        resource.document.positions.of(path),
        f"{where} is {counted}{why}; {name} accepts at most {limit}",
        json_path=path,
        hint=f"shorten it, or cut it in a template with truncate_for('{platform.split('_')[0]}')",
    )

"""What `contentctl lookup` prints: PostNitro's templates, brands, AI presets and connected
social accounts as tables, each with how a manifest refers to them."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Row = Callable[[Mapping[str, Any]], tuple[str, ...]]


def _size(item: Mapping[str, Any]) -> str:
    """A template's size: "1080x1350", or an object with its dimensions (both are seen)."""
    size = item.get("size")
    if isinstance(size, Mapping):
        dimensions = size.get("dimensions")
        if isinstance(dimensions, Mapping):
            return f"{dimensions.get('width')}x{dimensions.get('height')}"
        return str(size.get("id", ""))
    return "" if size is None else str(size)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# kind -> (columns, one row per item, how manifests use it)
TABLES: dict[str, tuple[tuple[str, ...], Row, str]] = {
    "templates": (
        ("NAME", "ID", "SIZE"),
        lambda i: (_text(i.get("name")), _text(i.get("id")), _size(i)),
        "In a Carousel: `template: {name: NAME}` (or `template_id: ID`).",
    ),
    "brands": (
        ("NAME", "ID", "HANDLE"),
        lambda i: (_text(i.get("name")), _text(i.get("id")), _text(i.get("handle"))),
        "In a Carousel: `brand: {name: NAME}` (or `brand_id: ID`, or `brand: brand/x` for a "
        "Brand managed in this project).",
    ),
    "presets": (
        ("ID", "PLATFORM", "TONE", "AUDIENCE", "LANGUAGE", "SLIDES", "MODEL"),
        lambda i: tuple(
            _text(i.get(k))
            for k in ("id", "socialPlatform", "tone", "audience", "language", "slides", "model")
        ),
        "In an AI Carousel: `generate: {type: text, context: ..., preset_id: ID}`. Presets "
        "have no names; SLIDES is how many slides the preset makes, at 2 credits each (set "
        "`expected_slides` to match, for the plan's estimate). The API only lists presets: "
        "create them in PostNitro.",
    ),
    "accounts": (
        ("PLATFORM", "HANDLE", "NAME", "TYPE", "TOKEN", "ID"),
        lambda i: tuple(
            _text(i.get(k))
            for k in (
                "platformType",
                "accountHandle",
                "accountName",
                "accountType",
                "accessTokenStatus",
                "id",
            )
        ),
        "In a Schedule: `accounts: {PLATFORM: [HANDLE]}`. Accounts are connected in the "
        "PostNitro app; a TOKEN other than active needs reconnecting there.",
    ),
}

KINDS = tuple(TABLES)


def table(kind: str, items: Sequence[Mapping[str, Any]]) -> str:
    """Aligned columns, then how a manifest refers to what is listed."""
    columns, row, usage = TABLES[kind]
    usage = textwrap.fill(usage, 90)
    if not items:
        return f"PostNitro has no {kind} in this workspace.\n{usage}"
    rows = [columns, *(row(i) for i in items)]
    widths = [max(len(r[n]) for r in rows) for n in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join([*lines, "", usage])

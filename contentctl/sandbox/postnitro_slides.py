"""Slides as the emulated PostNitro import endpoint checks them (shared/api/postnitro.md §4.2).

Where the docs and PostNitro's own CLI (postnitro/postnitro-agent v1.2.0) disagree, the CLI
wins: it tracks the API the docs pages predate.
"""

from __future__ import annotations

from typing import Any

SLIDE_KEYS = {
    "type",
    "heading",
    "sub_heading",
    "description",
    "cta_button",
    "image",
    "background_image",
    "layoutType",
    "layoutConfig",
}
# What the API assumes for a layoutConfig key left out. The docs mark all four required; the
# vendor types them optional (src/lib/types.ts:67-73) and documents these defaults
# (src/commands/carousel.ts:43-46, src/commands/image.ts:40-43).
LAYOUT_DEFAULTS: dict[str, Any] = {
    "hasHeader": True,
    "columnCount": 1,
    "displayCounterAs": "counter",
    "columnDisplay": "grid",
}
LAYOUT_VALUES: dict[str, tuple[Any, ...]] = {
    "columnCount": (1, 2, 3),
    "columnDisplay": ("cycle", "grid"),
    "displayCounterAs": ("none", "counter"),
    "hasHeader": (True, False),
}


def check_slides(slides: Any) -> str | None:
    """A CAROUSEL's slides: one starting_slide first, a body_slide or more, one ending_slide."""
    if not isinstance(slides, list) or not slides:
        return "slides must be a non-empty array"
    for i, slide in enumerate(slides):
        problem = check_slide(slide, f"slides[{i}]", SLIDE_KEYS, config_required=True)
        if problem:
            return problem
    types = [s.get("type") for s in slides]
    if types.count("starting_slide") != 1 or types[0] != "starting_slide":
        return "Exactly one starting_slide is required, and it must be first"
    if types.count("ending_slide") != 1 or types[-1] != "ending_slide":
        return "Exactly one ending_slide is required, and it must be last"
    if "body_slide" not in types:
        return "At least one body_slide is required"
    return None


def check_slide(slide: Any, where: str, allowed: set[str], *, config_required: bool) -> str | None:
    """One slide. ``config_required``: an infographic carousel slide needs its layoutConfig
    (src/commands/carousel.ts:40); an IMAGE's is optional (src/commands/image.ts:37)."""
    if not isinstance(slide, dict) or not slide.get("heading"):
        return f"{where}.heading is required"
    if set(slide) - allowed:
        return f"{where} has unknown keys: {', '.join(sorted(set(slide) - allowed))}"
    if slide.get("layoutType") in ("infographic", "infographics"):
        config = slide.get("layoutConfig")
        if config is None and not config_required:
            return None
        if not isinstance(config, dict):
            return f"{where}.layoutConfig is required for the infographic layout"
        return _check_layout(config, f"{where}.layoutConfig")
    return None


def _check_layout(config: dict[str, Any], where: str) -> str | None:
    for key, allowed in LAYOUT_VALUES.items():
        value = config.get(key, LAYOUT_DEFAULTS[key])
        # bool is an int: True must not pass as a column count.
        if value not in allowed or isinstance(value, bool) != (key == "hasHeader"):
            return f"{where}.{key} must be one of {', '.join(map(str, allowed))}"
    columns = config.get("columnData", [])
    if not isinstance(columns, list) or len(columns) > 3:
        return f"{where}.columnData must be an array of at most 3 columns"
    for i, column in enumerate(columns):
        at = f"{where}.columnData[{i}]"
        if not isinstance(column, dict) or not isinstance(column.get("content", []), list):
            return f"{at} must be an object with header and a content array"
        # Ids are the caller's: the API stores them as they are and makes none
        # (src/lib/types.ts:76-77, 83-84).
        if not _id(column):
            return f"{at}.id is required (a caller-provided id)"
        for j, item in enumerate(column.get("content", [])):
            if not isinstance(item, dict) or not _id(item):
                return f"{at}.content[{j}].id is required (a caller-provided id)"
            if not isinstance(item.get("title"), str):
                return f"{at}.content[{j}].title is required"
    return None


def _id(item: dict[str, Any]) -> bool:
    value = item.get("id")
    return isinstance(value, str) and bool(value.strip())

"""A carousel slide as PostNitro's import endpoint takes it (shared/api/postnitro.md §4.2).

Facts from PostNitro's own CLI, postnitro/postnitro-agent v1.2.0, which tracks the API the
docs pages predate:
- every infographic column and content item carries an ``id`` the caller chooses; the API
  stores it as it is and makes none (src/lib/types.ts:76-77, 83-84; src/commands/carousel.ts:29).
  The skill's example file skills/postnitro/examples/import-infographics.json sends none: the
  types win. Ids contentctl makes are derived from the resource's address and the position,
  so the same manifest always sends the same ids;
- an item's ``description`` is HTML, e.g. ``<p dir="ltr">…</p>`` (src/lib/types.ts:86);
- the layoutConfig keys have defaults (src/commands/carousel.ts:43-46), which the schema
  documents and contentctl always sends, since the docs call all four required.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from contentctl.validate.schema_files import load_schema

TEXT_KEYS = ("type", "heading", "sub_heading", "description", "cta_button")
IMAGE_KEYS = ("image", "background_image")
LAYOUT_KEYS = {
    "column_count": "columnCount",
    "column_display": "columnDisplay",
    "display_counter_as": "displayCounterAs",
    "has_header": "hasHeader",
}
ITEM_KEYS = {
    "icon": "icon",
    "title_enabled": "titleEnabled",
    "description_enabled": "descriptionEnabled",
}


def slide_body(slide: Mapping[str, Any], address: str, position: int) -> dict[str, Any]:
    """One slide of ``address`` (its ``position``, 1-based) in the API's spelling."""
    out = {k: slide[k] for k in (*TEXT_KEYS, *IMAGE_KEYS) if k in slide}
    if slide.get("layout"):
        out["layoutType"] = slide["layout"]
    info = slide.get("infographic")
    if info:
        defaults = layout_defaults()
        config: dict[str, Any] = {
            sent: info.get(key, defaults[key]) for key, sent in LAYOUT_KEYS.items()
        }
        if "columns" in info:
            prefix = f"{_id_part(address)}-s{position}"
            config["columnData"] = [
                _column(column, f"{prefix}-c{i}") for i, column in enumerate(info["columns"], 1)
            ]
        out["layoutConfig"] = config
    return out


def _column(column: Mapping[str, Any], made_id: str) -> dict[str, Any]:
    return {
        "id": str(column.get("id") or made_id),
        "header": column["header"],
        "content": [
            _item(item, f"{made_id}-i{j}") for j, item in enumerate(column.get("content", []), 1)
        ],
    }


def _item(item: Mapping[str, Any], made_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(item.get("id") or made_id), "title": item["title"]}
    if "description" in item:
        out["description"] = as_html(str(item["description"]))
    out.update({sent: item[key] for key, sent in ITEM_KEYS.items() if key in item})
    return out


def as_html(text: str) -> str:
    """Plain text as the HTML PostNitro stores: a paragraph per blank-line-separated block,
    in the direction of its script. Text that is HTML already is sent as written."""
    if text.lstrip().startswith("<"):
        return text
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()] or [""]
    return "".join(
        f'<p dir="{_direction(b)}">{html.escape(b, quote=False).replace(chr(10), "<br>")}</p>'
        for b in blocks
    )


def _direction(text: str) -> str:
    """``rtl`` when the first letter with a direction is Arabic, Hebrew, ...; else ``ltr``."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _id_part(address: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", address.lower()).strip("-")


@functools.cache
def layout_defaults() -> dict[str, Any]:
    """The defaults carousel.schema.json documents for an infographic's layout."""
    slide = load_schema("carousel.schema.json")["$defs"]["infographic"]["properties"]
    return {key: slide[key]["default"] for key in LAYOUT_KEYS}

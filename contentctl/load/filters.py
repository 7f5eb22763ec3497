"""Jinja filters for social copy: slugs, platform-aware truncation, dates, hashtags."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contentctl.captions import PLATFORM_LIMITS, fit


def slugify(value: Any) -> str:
    """``"Dark Mode — Pro!"`` → ``"dark-mode-pro"``, ``"Тёмная тема"`` → ``"тёмная-тема"``:
    lowercase words joined by hyphens; Latin letters lose their accents, other scripts stay."""
    return "-".join(_words(_fold(str(value)).lower()))


def truncate_for(value: Any, platform: str, ellipsis: str = "…") -> str:
    """Cut text to a platform's limit at a word boundary, ending with an ellipsis; for X the
    limit is 280 weighted (CJK characters and emoji count 2, a link 23)."""
    if platform not in PLATFORM_LIMITS:
        raise ValueError(
            f"truncate_for: unknown platform {platform!r}; "
            f"known: {', '.join(sorted(PLATFORM_LIMITS))}"
        )
    return fit(str(value), platform, ellipsis)


def hashtags(values: Iterable[Any] | str) -> str:
    """``["dark mode", "launch"]`` → ``"#DarkMode #Launch"``, ``["Тёмная тема", "深色"]`` →
    ``"#ТёмнаяТема #深色"``."""
    words = values.split(",") if isinstance(values, str) else values
    tags = []
    for value in words:
        parts = _words(_fold(str(value)))
        if parts:
            tags.append("#" + "".join(p[:1].upper() + p[1:] for p in parts))
    return " ".join(dict.fromkeys(tags))


def _fold(text: str) -> str:
    """Latin letters without their accents (``Crème`` → ``Creme``) as slugs always had them;
    letters of every other script kept, with their marks (``Тёмная``, ``ダーク``, ``हिन्दी``).

    A Latin letter with no ASCII form (``ß``, ``ø``) is still dropped, as it always was: a
    slug that names a resource must not change under an existing campaign.
    """
    out = []
    latin = True  # what a combining mark that follows belongs to
    for char in unicodedata.normalize("NFKD", text):
        if char.isascii():
            out.append(char)
            latin = True
            continue
        category = unicodedata.category(char)
        if category[0] == "M":
            if not latin:
                out.append(char)
        elif category[0] in "LN" and not unicodedata.name(char, "").startswith("LATIN"):
            out.append(char)
            latin = False
        else:
            latin = True
    return unicodedata.normalize("NFC", "".join(out))


def _words(text: str) -> list[str]:
    """The words of ``text``: ASCII letters and digits, or letters, digits and marks of
    other scripts; anything else separates them."""
    return "".join(_keep(c) for c in text).split()


def _keep(char: str) -> str:
    if char.isascii():
        return char if char.isalnum() else " "
    return char if unicodedata.category(char)[0] in "LNM" else " "


def format_date(value: Any, fmt: str = "%Y-%m-%d", tz: str | None = None) -> str:
    """Format a date or an ISO-8601 date-time, converted to time zone ``tz`` when given."""
    moment = _moment(value)
    if tz is not None:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"format_date: unknown time zone {tz!r}") from exc
        if isinstance(moment, dt.datetime):
            moment = (
                moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
            ).astimezone(zone)
    return moment.strftime(fmt)


def _moment(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"format_date: {text!r} is not an ISO-8601 date") from exc


FILTERS: dict[str, Callable[..., Any]] = {
    "slugify": slugify,
    "truncate_for": truncate_for,
    "hashtags": hashtags,
    "format_date": format_date,
}

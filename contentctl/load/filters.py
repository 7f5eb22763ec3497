"""Jinja filters for social copy: slugs, platform-aware truncation, dates, hashtags."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contentctl.captions import PLATFORM_LIMITS, fit


def slugify(value: Any) -> str:
    """``"Dark Mode — Pro!"`` → ``"dark-mode-pro"``: ASCII, lowercase, hyphens."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


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
    """``["dark mode", "launch"]`` → ``"#DarkMode #Launch"``."""
    words = values.split(",") if isinstance(values, str) else values
    tags = []
    for value in words:
        parts = re.findall(
            r"[A-Za-z0-9]+",
            unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode(),
        )
        if parts:
            tags.append("#" + "".join(p[:1].upper() + p[1:] for p in parts))
    return " ".join(dict.fromkeys(tags))


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

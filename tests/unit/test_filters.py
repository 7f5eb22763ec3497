"""The filters templates use for social copy."""

from __future__ import annotations

import pytest

from contentctl.load.filters import format_date, hashtags, slugify, truncate_for


def test_slugify() -> None:
    assert slugify("Dark Mode — Pro!") == "dark-mode-pro"
    assert slugify("Crème brûlée 2026") == "creme-brulee-2026"


def test_truncate_for_respects_the_platform_limit_at_a_word() -> None:
    text = "word " * 100
    cut = truncate_for(text, "x")
    assert len(cut) <= 280 and cut.endswith("word…")
    assert truncate_for("short", "x") == "short"
    assert len(truncate_for("a" * 300, "youtube_title")) == 100
    with pytest.raises(ValueError, match="unknown platform 'myspace'"):
        truncate_for("x", "myspace")


def test_hashtags() -> None:
    assert hashtags(["dark mode", "launch", "dark mode"]) == "#DarkMode #Launch"
    assert hashtags("café au lait, 2026") == "#CafeAuLait #2026"


def test_format_date_with_time_zones() -> None:
    assert format_date("2026-12-01T17:00:00Z", "%d/%m %H:%M", tz="Europe/Paris") == "01/12 18:00"
    assert format_date("2026-12-01T03:00:00Z", "%d/%m", tz="America/New_York") == "30/11"
    assert format_date("2026-12-01", "%A") == "Tuesday"
    with pytest.raises(ValueError, match="unknown time zone"):
        format_date("2026-12-01T00:00:00Z", tz="Mars/Olympus")

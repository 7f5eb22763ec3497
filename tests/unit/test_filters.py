"""The filters templates use for social copy."""

from __future__ import annotations

import pytest

from contentctl.captions import x_weighted_length
from contentctl.load.filters import format_date, hashtags, slugify, truncate_for


def test_slugify() -> None:
    assert slugify("Dark Mode — Pro!") == "dark-mode-pro"
    assert slugify("Crème brûlée 2026") == "creme-brulee-2026"


def test_hashtags() -> None:
    assert hashtags(["dark mode", "launch", "dark mode"]) == "#DarkMode #Launch"
    assert hashtags("café au lait, 2026") == "#CafeAuLait #2026"


def test_truncate_for_x_counts_by_weight() -> None:
    japanese = "ダークモードが登場しました。" * 30
    cut = truncate_for(japanese, "x")
    assert x_weighted_length(japanese[:400]) == 800
    assert x_weighted_length(cut) == 280 and len(cut) == 140 and cut.endswith("…")
    # Links count 23 and are never cut in half; an emoji sequence is never split.
    text = "New 👩🏽‍💻 https://example.com/" + "a" * 300 + " " + "word " * 60
    cut = truncate_for(text, "x")
    assert "https://example.com/" + "a" * 300 in cut and "👩🏽‍💻" in cut
    assert x_weighted_length(cut) <= 280


def test_format_date_with_time_zones() -> None:
    assert format_date("2026-12-01T17:00:00Z", "%d/%m %H:%M", tz="Europe/Paris") == "01/12 18:00"
    assert format_date("2026-12-01T03:00:00Z", "%d/%m", tz="America/New_York") == "30/11"
    assert format_date("2026-12-01", "%A") == "Tuesday"
    with pytest.raises(ValueError, match="unknown time zone"):
        format_date("2026-12-01T00:00:00Z", tz="Mars/Olympus")

"""The filters templates use for social copy."""

from __future__ import annotations

import pytest

from contentctl.captions import x_weighted_length
from contentctl.load.filters import format_date, hashtags, slugify, truncate_for


def test_slugify() -> None:
    assert slugify("Dark Mode — Pro!") == "dark-mode-pro"
    assert slugify("Crème brûlée 2026") == "creme-brulee-2026"


def test_slugify_keeps_the_words_of_every_script() -> None:
    assert slugify("Тёмная тема") == "тёмная-тема"
    assert slugify("深色 モード") == "深色-モード"
    assert slugify("ガイド") == "ガイド"  # the voicing mark stays with its kana
    assert slugify("हिन्दी भाषा") == "हिन्दी-भाषा"  # vowel signs are part of the word
    assert slugify("Ｄａｒｋ　Ｍｏｄｅ") == "dark-mode"  # full-width Latin, ideographic space


def test_latin_slugs_do_not_change() -> None:
    # Slugs name resources: an existing campaign's addresses must stay the same.
    assert slugify("Straße_42") == "strae-42"
    assert slugify("a×b—c") == "abc"


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
    assert hashtags(["Тёмная тема", "深色"]) == "#ТёмнаяТема #深色"


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


def test_plain_ascii_weighs_its_length_as_twitter_text_says() -> None:
    """x_weighted_length counts printable ASCII without a dot itself: twitter-text agrees."""
    import random
    import string

    from twitter_text import parse_tweet

    rng = random.Random(2026)
    plain = "".join(c for c in string.printable if c not in ".\r\x0b\x0c")
    words = ["http", "https", "www", "com", "co", "@user", "#tag", "$CASH", "://", "/", "\n"]
    for _ in range(3000):
        text = "".join(rng.choice(plain) for _ in range(rng.randrange(400)))
        mixed = " ".join(rng.choice(words) for _ in range(rng.randrange(60)))
        for sample in (text, mixed):
            assert x_weighted_length(sample) == parse_tweet(sample).weightedLength
    for other in ("see example.com", "a\r\nb", "caf\u00e9", "\x0c", "x" * 300 + "."):
        assert x_weighted_length(other) == parse_tweet(other).weightedLength


def test_format_date_with_time_zones() -> None:
    assert format_date("2026-12-01T17:00:00Z", "%d/%m %H:%M", tz="Europe/Paris") == "01/12 18:00"
    assert format_date("2026-12-01T03:00:00Z", "%d/%m", tz="America/New_York") == "30/11"
    assert format_date("2026-12-01", "%A") == "Tuesday"
    with pytest.raises(ValueError, match="unknown time zone"):
        format_date("2026-12-01T00:00:00Z", tz="Mars/Olympus")

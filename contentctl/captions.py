"""How long a caption is as each platform counts it, how long it may be, and how to cut it.

X counts by weight (the twitter-text rules, through the maintained port in the
``twitter-text-parser`` package): most CJK characters and emoji weigh 2, any link 23, so 280
"characters" of Japanese is 560 and refused. The other platforms count characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# The most each platform takes (a caption; YouTube: a description, and a title apart).
PLATFORM_LIMITS = {
    "x": 280,
    "instagram": 2200,
    "tiktok": 2200,
    "linkedin": 3000,
    "facebook": 63206,
    "youtube": 5000,
    "youtube_title": 100,
    "threads": 500,
}
PLATFORM_NAMES = {
    "x": "X",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "youtube": "YouTube",
    "youtube_title": "YouTube (title)",
    "threads": "Threads",
}
X_RULE = "CJK characters and emoji count 2, a link 23"
# The platform each PowerPost post type publishes to (shared/api/powerpost.md §4).
POST_TYPE_PLATFORM = {
    "instagram-feed": "instagram",
    "instagram-reel": "instagram",
    "instagram-story": "instagram",
    "tiktok-video": "tiktok",
    "tiktok-photos": "tiktok",
    "youtube-video": "youtube",
    "youtube-short": "youtube",
    "x-post": "x",
    "facebook-post": "facebook",
    "facebook-reel": "facebook",
    "facebook-story": "facebook",
    "linkedin-post": "linkedin",
}


def length(text: str, platform: str) -> int:
    """``text``'s length as ``platform`` counts it."""
    return x_weighted_length(text) if platform == "x" else len(text)


# Printable ASCII but the dot, new lines and tabs: every character weighs 1, and without a
# dot there is no link (nor an emoji in ASCII), so the weight is the length
# (tests/unit/test_filters.py checks it against twitter-text).
_WEIGHS_ITS_LENGTH = re.compile(r"[ -\-/-~\n\t]*")


def x_weighted_length(text: str) -> int:
    if _WEIGHS_ITS_LENGTH.fullmatch(text):
        return len(text)  # without loading twitter-text's tables for it
    from twitter_text import parse_tweet  # its emoji tables load in ~0.2 s: only when needed

    return int(parse_tweet(text).weightedLength)


def fit(text: str, platform: str, ellipsis: str = "…") -> str:
    """``text`` cut to ``platform``'s limit, at a word boundary where there is one, ending
    with ``ellipsis``; unchanged when it fits."""
    limit = PLATFORM_LIMITS[platform]
    if platform == "x":
        return _fit_x(text, limit, ellipsis)
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + ellipsis


def _fit_x(text: str, limit: int, ellipsis: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if x_weighted_length(text) <= limit:
        return text
    scale = _x_options()["scale"]
    room = limit * scale - sum(w for _, _, w in _x_units(ellipsis))
    # The longest run of whole units (a link, an emoji sequence, a character) that fits.
    end, used = 0, 0
    for _, stop, weight in _x_units(text):
        if used + weight > room:
            break
        end, used = stop, used + weight
    cut = text[:end]
    # Back to the last space, unless that loses more than half (scripts without spaces).
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= len(cut) // 2:
        cut = cut[:space]
    result = cut.rstrip(" ,.;:\n") + ellipsis
    while x_weighted_length(result) > limit and cut:  # never expected: the rules say so
        cut = cut[:-1]
        result = cut.rstrip(" ,.;:\n") + ellipsis
    return result


def _x_units(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, weight)`` of each counted unit, weights scaled as twitter-text scales
    them; the walk of its parse_tweet: links first, then emoji, then characters."""
    from twitter_text.extract_emojis import extract_emojis_with_indices
    from twitter_text.extract_urls import extract_urls_with_indices
    from twitter_text.get_character_weight import get_character_weight

    options = _x_options()
    urls = {u["indices"][0]: u["url"] for u in extract_urls_with_indices(text)}
    emoji = {e["indices"][0]: e["emoji"] for e in extract_emojis_with_indices(text)}
    units = []
    i = 0
    while i < len(text):
        if i in urls:
            size, weight = len(urls[i]), options["transformed_url_length"] * options["scale"]
        elif i in emoji:
            size, weight = len(emoji[i]), options["default_weight"]
        else:
            size, weight = 1, get_character_weight(text[i], options)
        units.append((i, i + size, int(weight)))
        i += size
    return units


@functools.cache
def _x_options() -> dict[str, Any]:
    from twitter_text.config import config

    options: dict[str, Any] = config["defaults"]
    return options

"""What the sandbox "generates": captions and slides derived from the user's own words."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

_STOP = {
    "with",
    "that",
    "this",
    "from",
    "your",
    "have",
    "just",
    "about",
    "their",
    "there",
    "what",
    "when",
    "will",
    "into",
    "they",
    "them",
    "then",
    "than",
    "were",
    "been",
    "reasons",
    "launched",
    "launch",
    "our",
    "for",
    "and",
    "the",
    "now",
}


def keywords(text: str, limit: int = 3) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z0-9]+", text)
    picked: list[str] = []
    for word in words:
        lower = word.lower()
        if len(lower) >= 4 and lower not in _STOP and lower not in picked:
            picked.append(lower)
    return picked[:limit] or ["news"]


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".!?")
    return text[:1].upper() + text[1:]


def caption(platform: str, prompt: str, cta: str | None = None) -> Any:
    """A plausible caption for ``platform``, built only from the prompt (and the CTA)."""
    topic = _sentence(prompt)
    words = keywords(prompt)
    # The first two keywords usually name the thing ("dark mode"): one tag for the phrase.
    tags = ["".join(w.capitalize() for w in words[:2]), *(w.capitalize() for w in words[2:])]
    camel = " ".join("#" + t for t in tags)
    lower = " ".join("#" + t.lower() for t in tags)
    if platform == "youtube":
        return {
            "title": topic[:100],
            "description": f"{topic}. In this video: what changed, why it matters, and how "
            f"to try it. {cta or 'Subscribe for more updates.'} {lower}",
        }
    lines = {
        "instagram": f"✨ {topic}!\n\nMade for the way you actually use it.\n\n"
        f"{cta or 'Tap the link in bio to learn more.'}\n\n{camel}",
        "tiktok": f"POV: {topic.lower()} 👀 {cta or 'Try it today!'} {lower} #fyp",
        "x": f"{topic}. {cta or 'Check it out'} 🚀 {camel}",
        "facebook": f"{topic}! We built it for you, and we can't wait to hear what you think. "
        f"{cta or 'Learn more on our site.'} {camel}",
        "linkedin": f"{topic}.\n\nHere is why it matters for our customers, and what we learned "
        f"building it.\n\n{cta or 'Read more in the comments.'}\n\n{camel}",
    }
    text = lines.get(platform, f"{topic}. {camel}")
    return text[:280] if platform == "x" else text


def generated_slides(kind: str, context: str, count: int) -> list[dict[str, Any]]:
    """Slides an AI carousel on ``context`` might have: a cover, body slides, a closing slide.

    ``kind`` is the aiGeneration type: for ``article`` and ``x`` the context is a URL, and
    what a reader would recognise of it is the words of its path, not "https" and the host.
    The request's ``instructions`` steer the tone; they are never slide text.
    """
    source = _url_words(context) if kind in ("article", "x") else context
    topic = _sentence(source)
    body_count = max(1, count - 2)
    words = keywords(source, limit=body_count)
    slides: list[dict[str, Any]] = [
        {"type": "starting_slide", "heading": topic, "sub_heading": "Swipe to learn more"}
    ]
    for i in range(body_count):
        word = words[i % len(words)]
        slides.append(
            {
                "type": "body_slide",
                "heading": f"{i + 1}. {word.capitalize()}",
                "description": f"What {word} means for you, in one slide.",
            }
        )
    slides.append(
        {"type": "ending_slide", "heading": "Thanks for reading", "cta_button": "Follow for more"}
    )
    return slides


def generated_image_slide(kind: str, context: str) -> dict[str, Any]:
    """The one designed image an AI ``IMAGE`` post makes: a heading and a line under it."""
    source = _url_words(context) if kind in ("article", "x") else context
    return {"heading": _sentence(source), "sub_heading": "Read more"}


# Path words that say where a page is, not what it is about.
_URL_NOISE = {"www", "blog", "blogs", "post", "posts", "article", "articles", "news", "status"}


def _url_words(url: str) -> str:
    """``https://example.com/blog/dark-mode-tips.html`` -> ``dark mode tips``."""
    parsed = urlsplit(url.strip())
    segments = [s for s in parsed.path.split("/") if s]
    for segment in reversed(segments):
        words = [
            w
            for w in re.split(r"[-_.+~%\s]+", re.sub(r"\.(html?|php|aspx?)$", "", segment))
            if w and not w.isdigit() and w.lower() not in _URL_NOISE
        ]
        if words:
            return " ".join(words)
    host = (parsed.hostname or "").removeprefix("www.").split(".")[0]
    return host or "this article"

"""Text from manifests and APIs placed in GitHub Markdown so that it stays text.

Three places, three rules: prose (HTML and Markdown punctuation escaped, mentions and issue
references broken with a zero-width space), code spans (a backtick run longer than any in
the text), and fenced blocks (a fence longer than any backtick run, every line prefixed, so
no line of content can close it). GitHub does not link mentions inside code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ZERO_WIDTH_SPACE = "\u200b"
# Punctuation that means something inline to Markdown or GFM (code, emphasis, links and
# images, table cells, strikethrough, math), escaped with a backslash; & < > become entities.
_PUNCTUATION = re.compile(r"([\\`*_\[\]!|~$])")
_REFERENCE = re.compile(r"(@|#(?=\d)|\bGH-(?=\d))", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def text(value: str) -> str:
    """Inline prose: renders as exactly ``value`` on one line, links to nothing, no HTML."""
    flat = _CONTROL.sub("", _LINE_BREAKS.sub(" ", value))
    escaped = _PUNCTUATION.sub(r"\\\1", flat)
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width space after @, before #123 and GH-123: no mention, no cross-reference.
    return _REFERENCE.sub(lambda m: m.group(1) + ZERO_WIDTH_SPACE, escaped)


def code(value: str, *, in_table: bool = False) -> str:
    """An inline code span holding ``value`` (on one line)."""
    flat = _CONTROL.sub("", _LINE_BREAKS.sub(" ", value))
    ticks = "`" * (_longest_backtick_run(flat) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    span = f"{ticks}{pad}{flat}{pad}{ticks}"
    # GFM splits table rows at | before it reads code spans: escape it even there.
    return span.replace("|", "\\|") if in_table else span


def fenced(lines: Iterable[str], info: str = "") -> list[str]:
    """A fenced code block of ``lines``; the fence is longer than any backtick run in them."""
    body = [_CONTROL.sub("", line) for chunk in lines for line in _LINE_BREAKS.split(chunk)]
    longest = max((_longest_backtick_run(line) for line in body), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *body, fence]


def _longest_backtick_run(value: str) -> int:
    return max((len(m) for m in _BACKTICKS.findall(value)), default=0)

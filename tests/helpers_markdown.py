"""Plan comments rendered to HTML as GitHub's CommonMark would, to check what a reader sees."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

HOSTILE = (
    "Launch day </details> <img src=x onerror=alert(1)> <b>bold</b> @octocat and @acme/team "
    "see #12 ``` `tick` [link](javascript:alert(1)) | pipe"
)
_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.S)


def html(markdown: str) -> str:
    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    rendered: str = renderer.render(markdown)
    return rendered


def outside_code(rendered: str) -> str:
    """The HTML with code spans and blocks removed: where GitHub links mentions."""
    return _CODE.sub("", rendered)


def assert_inert(rendered: str, details: int) -> None:
    """No tag from content, no mention or reference outside code, ``details`` blocks intact."""
    assert "<img" not in rendered and "<b>" not in rendered
    assert 'href="javascript' not in rendered
    assert rendered.count("<details>") == rendered.count("</details>") == details
    prose = outside_code(rendered)
    assert "@octocat" not in prose and "@acme" not in prose and "#12" not in prose

"""The plan's sticky pull request comment, through GitHub's REST API.

Runs in a ``workflow_run`` workflow, in the base repository's context with a token that may
comment, on the artifact the pull request's plan job uploaded. That artifact is untrusted (a
fork's workflow run wrote it): the pull request number it names is believed only if that
pull request's head is the commit the triggering run planned, and its text is posted as the
comment's body, never run. The comment is found again by its hidden marker, among the
comments of the token's own account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx

from contentctl.github_api import Target, decoded, next_page, request, request_json
from contentctl.report.markdown import MARKER
from contentctl.report.markdown_safe import code

LIMIT = 65_535  # GitHub refuses longer comment bodies
DEFAULT_AUTHOR = "github-actions[bot]"  # who GITHUB_TOKEN comments as
MAX_PAGES = 100  # of 100 comments each


@dataclass(frozen=True)
class Posted:
    """What happened: the comment ``created`` or ``updated`` (with its address), or
    ``skipped`` and why."""

    action: Literal["created", "updated", "skipped"]
    url: str | None = None
    reason: str = ""


def body(
    plan_markdown: str | None,
    head_sha: str,
    run_url: str | None,
    preview_url: str | None = None,
) -> str:
    """The comment: the plan's Markdown (or, when the plan job left none, why there is no
    plan) under the marker, and a footer naming the commit planned and the run (and where
    the HTML preview of the content is, when there is one). Never longer than GitHub
    accepts."""
    run = f"[workflow run]({run_url})" if run_url and is_web_url(run_url) else "workflow run"
    if preview_url and is_web_url(preview_url):
        run += f" · [HTML preview of the content]({preview_url}) (`contentctl-preview`)"
    footer = f"\n\n---\n<sub>Plan of {code(head_sha[:12])} · {run}</sub>\n"
    if plan_markdown is None:
        text = (
            f"{MARKER}\n### contentctl plan\n\nNo plan for {code(head_sha[:12])}: the plan job "
            "stopped before it wrote one (invalid manifests, or a failure). Its log and "
            "annotations say why."
        )
    else:
        text = plan_markdown.strip()
        if not text.startswith(MARKER):
            text = f"{MARKER}\n{text}"
    room = LIMIT - len(footer)
    if len(text) > room:
        cut = "\n\n… (cut to GitHub's comment size: `contentctl plan` shows it all)"
        text = text[: room - len(cut)]
        text = text[: text.rfind("\n")] + cut if "\n" in text else text + cut
    return text + footer


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and not set(url) & set("()[] <>")


def post(
    client: httpx.Client,
    target: Target,
    pull_request: int,
    head_sha: str,
    text: str,
    author: str = DEFAULT_AUTHOR,
) -> Posted:
    """Create the plan comment on ``pull_request``, or edit the one posted before, if that
    pull request's head is still ``head_sha`` (the commit the triggering run planned)."""
    repo = target.repository
    pull = request_json(
        client, "GET", f"/repos/{repo}/pulls/{pull_request}", pull_request=pull_request
    )
    current = str((pull.get("head") or {}).get("sha") or "")
    if current != head_sha:
        return Posted(
            "skipped",
            reason=f"pull request #{pull_request}'s head is {current[:12] or 'unknown'}, not "
            f"{head_sha[:12]}, the commit this plan is of: it moved on (a newer run comments), "
            "or the artifact names another pull request",
        )
    found = _find(client, target, pull_request, author)
    if found is None:
        made = request_json(
            client, "POST", f"/repos/{repo}/issues/{pull_request}/comments", json={"body": text}
        )
        return Posted("created", made.get("html_url"))
    edited = request_json(
        client, "PATCH", f"/repos/{repo}/issues/comments/{found}", json={"body": text}
    )
    return Posted("updated", edited.get("html_url"))


def _find(client: httpx.Client, target: Target, pull_request: int, author: str) -> int | None:
    """The id of ``author``'s earlier plan comment (the first, if there are several)."""
    url: str | None = f"/repos/{target.repository}/issues/{pull_request}/comments?per_page=100"
    for _page in range(MAX_PAGES):
        if url is None:
            return None
        response = request(client, "GET", url)
        for comment in decoded(response, list):
            if not isinstance(comment, dict):
                continue
            user = comment.get("user") or {}
            text = str(comment.get("body") or "")
            if user.get("login") == author and text.startswith(MARKER):
                return int(comment["id"])
        url = next_page(response, target.api_url)
    return None

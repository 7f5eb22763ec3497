"""After a merge: the pull requests a commit merged, the follow-up comment on those whose
content was drafted for review instead of published, and the label taken off."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from contentctl.errors import ContentctlError
from contentctl.github_api import Target, decoded, refused, request, request_json
from contentctl.github_comment import LIMIT, Posted, is_web_url
from contentctl.report.markdown_safe import code

NEEDS_REVIEW_MARKER = "<!-- contentctl-needs-review -->"


def needs_review_body(addresses: list[str], run_url: str | None) -> str:
    """The follow-up comment on a merged pull request whose content was drafted, not
    published: what, why, and how it goes out."""
    run = f"[the apply]({run_url})" if run_url and is_web_url(run_url) else "the apply"
    names = "\n".join(f"- {code(a)}" for a in addresses[:100])
    more = f"\n- and {len(addresses) - 100} more" if len(addresses) > 100 else ""
    return (
        f"{NEEDS_REVIEW_MARKER}\n### contentctl: needs review\n\n"
        f"After this merge, {run} had to generate content nobody had reviewed, so it created "
        "it as drafts and did not publish it:\n\n"
        f"{names}{more}\n\n"
        "Review the drafts (`contentctl show ADDRESS`, the preview, or PowerPost itself). The "
        "next apply publishes them as they are (the next merge, or `contentctl apply`); to "
        "change them first, edit their manifests in a pull request and generate it there "
        "(label `contentctl:generate`).\n"
    )


def merged_pull_requests(client: httpx.Client, target: Target, commit: str) -> list[int]:
    """The pull requests merged as ``commit`` (GitHub's list for a commit)."""
    pulls = request(client, "GET", f"/repos/{target.repository}/commits/{commit}/pulls")
    return [
        int(p["number"])
        for p in decoded(pulls, list)
        if isinstance(p, dict) and p.get("merge_commit_sha") == commit
    ]


def comment_on(client: httpx.Client, target: Target, pull_request: int, text: str) -> Posted:
    """A new comment on ``pull_request``."""
    made = request_json(
        client,
        "POST",
        f"/repos/{target.repository}/issues/{pull_request}/comments",
        pull_request=pull_request,
        json={"body": text[:LIMIT]},
    )
    return Posted("created", made.get("html_url"))


def remove_label(client: httpx.Client, target: Target, pull_request: int, label: str) -> bool:
    """Take ``label`` off ``pull_request``; False when it did not have it."""
    path = f"/repos/{target.repository}/issues/{pull_request}/labels/{quote(label, safe='')}"
    try:
        response = client.request("DELETE", path)
    except httpx.HTTPError as exc:
        raise ContentctlError(f"cannot reach GitHub's API at {client.base_url}: {exc}") from None
    if response.status_code == 404:
        return False
    if not response.is_success:
        raise refused(response, pull_request)
    return True

"""The plan's sticky pull request comment, through GitHub's REST API.

Runs in a ``workflow_run`` workflow, in the base repository's context with a token that may
comment, on the artifact the pull request's plan job uploaded. That artifact is untrusted (a
fork's workflow run wrote it): the pull request number it names is believed only if that
pull request's head is the commit the triggering run planned, and its text is posted as the
comment's body, never run. The comment is found again by its hidden marker, among the
comments of the token's own account.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx

from contentctl import __version__
from contentctl.errors import ConfigError, ContentctlError
from contentctl.report.markdown import MARKER
from contentctl.report.markdown_safe import code

LIMIT = 65_535  # GitHub refuses longer comment bodies
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_AUTHOR = "github-actions[bot]"  # who GITHUB_TOKEN comments as
MAX_PAGES = 100  # of 100 comments each


@dataclass(frozen=True)
class Target:
    """Where the comment goes: GitHub's API and the repository, from the environment."""

    api_url: str
    repository: str
    token: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Target:
        missing = [n for n in ("GITHUB_REPOSITORY", "GITHUB_TOKEN") if not environ.get(n)]
        if missing:
            raise ConfigError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set",
                hint="GitHub Actions sets GITHUB_REPOSITORY; pass the token to the step: "
                "env: {GITHUB_TOKEN: ${{ github.token }}}",
            )
        api_url = (environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        _check_api_url(api_url)
        repository = environ["GITHUB_REPOSITORY"]
        if repository.count("/") != 1 or not all(repository.split("/")):
            raise ConfigError(f"GITHUB_REPOSITORY {repository!r} is not OWNER/NAME")
        return cls(api_url, repository, environ["GITHUB_TOKEN"])

    def client(self, transport: httpx.BaseTransport | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.api_url,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": f"contentctl/{__version__}",
            },
            transport=transport,
            timeout=30.0,
            follow_redirects=False,
        )


def _check_api_url(url: str) -> None:
    """The token goes only over https, or in the clear to this machine (a local server)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and (host == "localhost" or _loopback(host)):
        return
    raise ConfigError(
        f"GITHUB_API_URL {url!r} is not an https URL",
        hint="the token would travel in the clear; GitHub Actions sets it to https://...",
    )


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    run = f"[workflow run]({run_url})" if run_url and _is_web_url(run_url) else "workflow run"
    if preview_url and _is_web_url(preview_url):
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


def _is_web_url(url: str) -> bool:
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
    pull = _json(client, "GET", f"/repos/{repo}/pulls/{pull_request}", pull_request=pull_request)
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
        made = _json(
            client, "POST", f"/repos/{repo}/issues/{pull_request}/comments", json={"body": text}
        )
        return Posted("created", made.get("html_url"))
    edited = _json(client, "PATCH", f"/repos/{repo}/issues/comments/{found}", json={"body": text})
    return Posted("updated", edited.get("html_url"))


NEEDS_REVIEW_MARKER = "<!-- contentctl-needs-review -->"


def needs_review_body(addresses: list[str], run_url: str | None) -> str:
    """The follow-up comment on a merged pull request whose content was drafted, not
    published: what, why, and how it goes out."""
    run = f"[the apply]({run_url})" if run_url and _is_web_url(run_url) else "the apply"
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
    pulls = _request(client, "GET", f"/repos/{target.repository}/commits/{commit}/pulls")
    return [
        int(p["number"])
        for p in _decoded(pulls, list)
        if isinstance(p, dict) and p.get("merge_commit_sha") == commit
    ]


def comment_on(client: httpx.Client, target: Target, pull_request: int, text: str) -> Posted:
    """A new comment on ``pull_request``."""
    made = _json(
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
        raise _refused(response, pull_request)
    return True


def _find(client: httpx.Client, target: Target, pull_request: int, author: str) -> int | None:
    """The id of ``author``'s earlier plan comment (the first, if there are several)."""
    url: str | None = f"/repos/{target.repository}/issues/{pull_request}/comments?per_page=100"
    for _page in range(MAX_PAGES):
        if url is None:
            return None
        response = _request(client, "GET", url)
        for comment in _decoded(response, list):
            if not isinstance(comment, dict):
                continue
            user = comment.get("user") or {}
            text = str(comment.get("body") or "")
            if user.get("login") == author and text.startswith(MARKER):
                return int(comment["id"])
        url = _next_page(response, target.api_url)
    return None


def _next_page(response: httpx.Response, api_url: str) -> str | None:
    """The ``Link: rel="next"`` page, only on the same API (the token goes with it)."""
    link = response.links.get("next", {}).get("url")
    if not link:
        return None
    if not link.startswith(api_url + "/"):
        raise ContentctlError(
            f"GitHub's API sent a next page at {link}, outside {api_url}",
            hint="check GITHUB_API_URL: the token is sent only to that API",
        )
    return link


def _json(
    client: httpx.Client, method: str, url: str, *, pull_request: int | None = None, **kw: Any
) -> dict[str, Any]:
    response = _request(client, method, url, pull_request=pull_request, **kw)
    data: dict[str, Any] = _decoded(response, dict)
    return data


def _decoded(response: httpx.Response, shape: type[Any]) -> Any:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, shape):
        raise ContentctlError(
            f"GitHub's API answered {response.request.method} {response.request.url.path} "
            f"with something that is not a JSON {shape.__name__}"
        )
    return data


def _request(
    client: httpx.Client, method: str, url: str, *, pull_request: int | None = None, **kw: Any
) -> httpx.Response:
    try:
        response = client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        raise ContentctlError(
            f"cannot reach GitHub's API at {client.base_url}: {exc}",
            hint="check GITHUB_API_URL and the runner's network; run the job again",
        ) from None
    if response.is_success:
        return response
    raise _refused(response, pull_request)


def _refused(response: httpx.Response, pull_request: int | None) -> ContentctlError:
    try:
        message = str(response.json().get("message") or "")
    except (ValueError, AttributeError):
        message = ""
    status = response.status_code
    what = f"{response.request.method} {response.request.url.path}: HTTP {status}"
    what += f" ({message})" if message else ""
    hint = None
    if status == 401:
        hint = "the token was refused: pass env: {GITHUB_TOKEN: ${{ github.token }}}"
    elif status == 403 and response.headers.get("x-ratelimit-remaining") == "0":
        hint = "GitHub's rate limit is spent; run the job again later"
    elif status == 403:
        hint = "the workflow needs `permissions: {pull-requests: write}` for its job"
    elif status == 404 and pull_request is not None:
        hint = f"no pull request #{pull_request} in this repository, or the token cannot see it"
    return ContentctlError(f"GitHub's API refused {what}", hint=hint)

"""GitHub's REST API as contentctl uses it: where it is and the token, from the environment
(the token travels only over https, or to this machine), and requests whose refusals say
what to fix."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from contentctl import __version__
from contentctl.errors import ConfigError, ContentctlError

DEFAULT_API_URL = "https://api.github.com"


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


def next_page(response: httpx.Response, api_url: str) -> str | None:
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


def request_json(
    client: httpx.Client, method: str, url: str, *, pull_request: int | None = None, **kw: Any
) -> dict[str, Any]:
    response = request(client, method, url, pull_request=pull_request, **kw)
    data: dict[str, Any] = decoded(response, dict)
    return data


def decoded(response: httpx.Response, shape: type[Any]) -> Any:
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


def request(
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
    raise refused(response, pull_request)


def refused(response: httpx.Response, pull_request: int | None) -> ContentctlError:
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

"""Keys a request sent never come back in what contentctl reads of its answer."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from contentctl.secrets import redact

# Headers whose values are secrets: an answer that echoes one has it redacted.
SECRET_HEADERS = frozenset({"x-api-key", "embed-api-key", "authorization", "x-workspace-id"})


def secrets_in(headers: Mapping[str, str]) -> list[str]:
    """The secret values among the headers a request sends."""
    return [v for k, v in headers.items() if k.lower() in SECRET_HEADERS]


def redacted(response: httpx.Response, secrets: list[str]) -> httpx.Response:
    """The answer with any secret this request sent replaced, before anything reads it."""
    content = response.content
    clean = redact(content, secrets)
    if clean == content:
        return response
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-length", "content-encoding")
    ]
    return httpx.Response(
        response.status_code, headers=headers, content=clean, request=response.request
    )

"""PostNitro Embed API client: templates, brands, presets, carousel jobs and their output.

Follows shared/api/postnitro.md: ``embed-api-key`` header, camelCase bodies, no extra keys
(the API answers 422 to any), and two different error envelopes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from contentctl import secrets
from contentctl.errors import ApiError
from contentctl.providers.errors import error_text
from contentctl.providers.http import Http

NAME = "postnitro"
KEY_VARIABLE = secrets.POSTNITRO_API_KEY
PAGE_LIMIT = 100


def map_error(response: httpx.Response) -> ApiError:
    """Both envelopes: ``{success: false, message}`` and ``{status: false, message}``."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = body.get("message") if isinstance(body, dict) else None
    # PostNitro's two envelopes: {success: false, message} and {status: false, message}.
    envelope = (
        isinstance(body, dict)
        and bool(message)
        and (body.get("success") is False or body.get("status") is False)
    )
    message = str(message) if message else error_text(response)
    status = response.status_code
    hint = {
        401: f"check {KEY_VARIABLE} (PostNitro account settings → Embed → Generate API Key) and "
        "that a workspace is attached to the key",
        402: "the Embed API needs a paid PostNitro plan or an Embed API subscription",
        404: "the object does not exist in this PostNitro workspace",
        422: "PostNitro refused the request body; check the manifest fields",
        429: "too many requests; contentctl waits and retries",
    }.get(status, "PostNitro had a server error; run apply again later" if status >= 500 else None)
    return ApiError(message, provider=NAME, status=status, hint=hint, envelope=envelope)


def headers(api_key: str) -> dict[str, str]:
    return {"embed-api-key": api_key}


class PostNitro:
    name = NAME

    def __init__(self, http: Http) -> None:
        self.http = http

    async def _data(self, method: str, path: str, **kwargs: Any) -> Any:
        body = await self.http.request_json(method, path, **kwargs)
        if not isinstance(body, dict) or "data" not in body:
            raise ApiError(f"unexpected answer to {method} {path}", provider=NAME)
        return body["data"]

    async def _list(self, path: str, key: str) -> list[dict[str, Any]]:
        """Every item of a paged list; PostNitro answers 404 for an empty list."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            try:
                data = await self._data("GET", path, params={"page": page, "limit": PAGE_LIMIT})
            except ApiError as exc:
                if exc.status == 404:
                    return items
                raise
            batch = data.get(key, []) if isinstance(data, dict) else []
            items.extend(batch)
            if len(batch) < PAGE_LIMIT:
                return items
            page += 1

    async def templates(self) -> list[dict[str, Any]]:
        return await self._list("/template", "templates")

    async def brands(self) -> list[dict[str, Any]]:
        return await self._list("/brand", "brands")

    async def presets(self) -> list[dict[str, Any]]:
        return await self._list("/ai-preset", "presets")

    async def initiate_generate(self, body: Mapping[str, Any]) -> dict[str, Any]:
        data = await self._data("POST", "/post/initiate/generate", json=dict(body))
        return dict(data)

    async def initiate_import(self, body: Mapping[str, Any]) -> dict[str, Any]:
        data = await self._data("POST", "/post/initiate/import", json=dict(body))
        return dict(data)

    async def status(self, embed_post_id: str) -> dict[str, Any]:
        return dict(await self._data("GET", f"/post/status/{embed_post_id}"))

    async def output(self, embed_post_id: str) -> dict[str, Any]:
        return dict(await self._data("GET", f"/post/output/{embed_post_id}"))

    # Brands: every write sends all seven keys and nothing else (the API answers 422).

    async def brand(self, brand_id: str) -> dict[str, Any]:
        return dict((await self._data("GET", f"/brand/{brand_id}"))["brand"])

    async def create_brand(self, brand: Mapping[str, Any]) -> dict[str, Any]:
        data = await self._data("POST", "/brand", json=_brand_body(brand))
        return dict(data["brand"])

    async def update_brand(self, brand_id: str, brand: Mapping[str, Any]) -> dict[str, Any]:
        data = await self._data("PUT", f"/brand/{brand_id}", json=_brand_body(brand))
        return dict(data["brand"])

    # Social accounts are connected in the PostNitro app; the API only reads them.

    async def social_accounts(self) -> dict[str, list[dict[str, Any]]]:
        data = await self._data("GET", "/social-account")
        return {k: list(v) for k, v in data["socialAccounts"].items()}

    async def social_account(self, account_id: str) -> dict[str, Any]:
        return dict(await self._data("GET", f"/social-account/{account_id}"))

    # Scheduled posts: the request says scheduledAt, the answer says scheduledFor.

    async def schedules(self, from_date: str, to_date: str) -> list[dict[str, Any]]:
        data = await self._data(
            "GET", "/schedule", params={"fromDate": from_date, "toDate": to_date}
        )
        return [dict(row) for row in data]

    async def create_schedule(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return dict(await self._data("POST", "/schedule", json=dict(body)))

    async def schedule(self, schedule_id: str) -> dict[str, Any]:
        return dict(await self._data("GET", f"/schedule/{schedule_id}"))

    async def update_schedule(self, schedule_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return dict(await self._data("PUT", f"/schedule/{schedule_id}", json=dict(body)))

    async def delete_schedule(self, schedule_id: str) -> None:
        """Any 2xx is a deletion: the answer's body is not documented, PostNitro's CLI reads a
        top-level ``message`` from it (postnitro/postnitro-agent src/commands/schedule.ts:141)
        while its client types ``data`` (src/lib/client.ts:165). Only the status matters."""
        await self.http.request("DELETE", f"/schedule/{schedule_id}")


BRAND_KEYS = ("name", "handle", "image", "isCompanyDetail", "showName", "showHandle", "showImage")


def _brand_body(brand: Mapping[str, Any]) -> dict[str, Any]:
    missing = [k for k in BRAND_KEYS if k not in brand]
    if missing:
        raise ValueError(f"a PostNitro brand needs {', '.join(missing)}")
    return {k: brand[k] for k in BRAND_KEYS}


def image_generation_warning(status: Mapping[str, Any]) -> str | None:
    """What a COMPLETED post's ``GENERATE_IMAGES`` log step says when its AI images did not
    happen: they are best effort (free plan, AI-image quota), and the post completes anyway.

    As PostNitro's own CLI reads it: the first log of that step
    (postnitro/postnitro-agent src/lib/generation.ts:114), skipped when its status is FAILED
    (src/commands/generate-and-schedule.ts:74); any status but SUCCESS is said here.
    """
    logs = status.get("logs")
    step = next(
        (
            log
            for log in (logs if isinstance(logs, list) else [])
            if isinstance(log, Mapping) and log.get("step") == "GENERATE_IMAGES"
        ),
        None,
    )
    if step is None or step.get("status") == "SUCCESS":
        return None
    reason = str(step.get("message") or step.get("status") or "no reason given")
    return f"AI image generation was skipped: {reason}"


def output_files(result: Mapping[str, Any]) -> list[str]:
    """The output's data as a list: PNG gives a list, PDF one string; URL or base64 each."""
    data = result.get("data")
    if data is None:
        return []
    return [str(d) for d in data] if isinstance(data, list) else [str(data)]


def design_id(result: Mapping[str, Any]) -> str | None:
    """``designId``, or parsed from a data URL ``/embed-api/<x>/<designId>/<file>``."""
    if result.get("designId"):
        return str(result["designId"])
    for url in output_files(result):
        parts = url.split("/")
        if "embed-api" in parts:
            i = parts.index("embed-api")
            if len(parts) > i + 3:
                return parts[i + 2]
    return None

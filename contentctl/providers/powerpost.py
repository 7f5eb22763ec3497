"""PowerPost API v1 client: captions, images, media, posts, publishing, credits.

Follows shared/api/powerpost.md: ``x-api-key`` on every request, ``X-Workspace-Id`` on
every content endpoint (not on /account/credits), JSON bodies with snake_case fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from contentctl import secrets
from contentctl.errors import ApiError
from contentctl.providers.errors import error_text
from contentctl.providers.http import Http

NAME = "powerpost"
KEY_VARIABLE = secrets.POWERPOST_API_KEY
WORKSPACE_VARIABLE = secrets.POWERPOST_WORKSPACE_ID

_HINTS = {
    "INVALID_API_KEY": f"check {KEY_VARIABLE} (keys look like pp_live_sk_...; create one in "
    "PowerPost Settings → API)",
    "VALIDATION_ERROR": "the request was refused as invalid; check the manifest fields named above",
    "INSUFFICIENT_CREDITS": "buy credits in PowerPost, or apply fewer resources (--target)",
    "FORBIDDEN": f"the key cannot do this: check {WORKSPACE_VARIABLE} and that the key is not "
    "draft-only when publishing",
    "INSUFFICIENT_SCOPE": "give the API key the scope named in the message (Settings → API)",
    "NOT_FOUND": "the remote object no longer exists; run apply with --replace on this resource",
    "ALREADY_PUBLISHED": "this post is already published; nothing to do",
    "FILE_TOO_LARGE": "images may be up to 10 MB, videos up to 500 MB",
    "STORAGE_QUOTA_EXCEEDED": "delete media in PowerPost to free storage (10 GB per account)",
    "PLATFORM_NOT_CONNECTED": "connect the platform in PowerPost Settings → Connections",
    "RATE_LIMIT_EXCEEDED": "too many requests; contentctl waits and retries",
    "INTERNAL_ERROR": "PowerPost had a server error; run apply again later",
}


def map_error(response: httpx.Response) -> ApiError:
    """Turn PowerPost's ``{"error": {"message", "code"}}`` envelope into an :class:`ApiError`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    envelope = isinstance(error, dict) and bool(error.get("code") or error.get("message"))
    if isinstance(error, dict):
        code = str(error.get("code") or "")
        message = str(error.get("message") or response.reason_phrase)
        retry_after = error.get("retryAfter")
    else:
        code, message, retry_after = "", error_text(response), None
    if response.status_code == 400 and "workspace" in message.lower():
        hint: str | None = f"set {WORKSPACE_VARIABLE} (Settings → Workspaces in PowerPost)"
    else:
        hint = _HINTS.get(code)
    return ApiError(
        message,
        provider=NAME,
        status=response.status_code,
        code=code or None,
        hint=hint,
        retry_after=float(retry_after) if isinstance(retry_after, (int, float)) else None,
        envelope=envelope,
    )


def headers(api_key: str) -> dict[str, str]:
    return {"x-api-key": api_key}


class PowerPost:
    """Typed calls to the endpoints contentctl uses; answers are returned as parsed JSON."""

    name = NAME

    def __init__(self, http: Http, workspace_id: str) -> None:
        self.http = http
        self._workspace = {"X-Workspace-Id": workspace_id}

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        data = await self.http.request_json(method, path, headers=self._workspace, **kwargs)
        if not isinstance(data, dict):
            raise ApiError(f"unexpected answer to {method} {path}", provider=NAME)
        return data

    async def credits(self) -> float:
        """Account-wide balance. The only endpoint that takes no workspace header."""
        data = await self.http.request_json(
            "GET", "/account/credits", omit_headers=("X-Workspace-Id",)
        )
        return float(data["balance"])

    async def upload_media(
        self, content: bytes, file_name: str, media_type: str, mime_type: str
    ) -> dict[str, Any]:
        return await self._json(
            "POST",
            "/media/upload",
            files={"file": (file_name, content, mime_type)},
            data={"type": media_type},
        )

    async def generate_content(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self._json("POST", "/content/generate", json=dict(body))

    async def get_generation(self, generation_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/content/generations/{generation_id}")

    async def list_generations(
        self, *, status: str | None = None, limit: int = 20, cursor: str | None = None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        if cursor:
            params["cursor"] = cursor
        return await self._json("GET", "/content/generations", params=params)

    async def generate_images(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self._json("POST", "/images/generate", json=dict(body))

    async def get_image_generation(self, image_generation_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/images/generations/{image_generation_id}")

    async def create_post(
        self, generation_id: str | None, items: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"items": [dict(i) for i in items]}
        if generation_id:
            body["generation_id"] = generation_id
        return await self._json("POST", "/posts", json=body)

    async def get_post(self, post_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/posts/{post_id}")

    async def publish_post(self, post_id: str) -> dict[str, Any]:
        return await self._json("POST", f"/posts/{post_id}/publish")

    async def generate_video(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self._json("POST", "/videos/generate", json=dict(body))

    async def get_video_generation(self, video_generation_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/videos/generations/{video_generation_id}")

    # Calendar entries are planning notes; the answers' shapes are only partly documented,
    # so an entry is read from the body or from its "entry" key.

    async def calendar_entries(self, start_date: str, end_date: str) -> list[dict[str, Any]]:
        data = await self._json(
            "GET", "/calendar/entries", params={"start_date": start_date, "end_date": end_date}
        )
        return [dict(e) for e in data.get("entries", [])]

    async def create_calendar_entry(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return _entry(await self._json("POST", "/calendar/entries", json=dict(body)))

    async def calendar_entry(self, entry_id: str) -> dict[str, Any]:
        return _entry(await self._json("GET", f"/calendar/entries/{entry_id}"))

    async def update_calendar_entry(self, entry_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return _entry(await self._json("PATCH", f"/calendar/entries/{entry_id}", json=dict(body)))

    async def delete_calendar_entry(self, entry_id: str) -> None:
        await self._json("DELETE", f"/calendar/entries/{entry_id}")


def _entry(body: Mapping[str, Any]) -> dict[str, Any]:
    entry = body.get("entry") if isinstance(body.get("entry"), Mapping) else body
    return dict(entry)  # type: ignore[arg-type]

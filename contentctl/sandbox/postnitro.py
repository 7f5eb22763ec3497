"""Emulated PostNitro Embed API (shared/api/postnitro.md): camelCase, strict keys, two envelopes.

What every endpoint shares lives here, with the listings (templates, brands, AI presets); the
jobs are started in postnitro_jobs and read in postnitro_results, and brands, social accounts
and scheduled posts are postnitro_brands, postnitro_accounts and postnitro_schedules."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from starlette.routing import Route

from contentctl.sandbox.api import Call, EmulatedApi, Reply
from contentctl.sandbox.endpoints import POSTNITRO_KEY, POSTNITRO_PREFIX
from contentctl.sandbox.state import SandboxState

PREFIX = POSTNITRO_PREFIX


def error(status: int, code: str, message: str) -> dict[str, Any]:
    # PostNitro mixes two envelopes; validation and auth errors use {status: false}.
    if status in (401, 402, 422):
        return {"status": False, "message": message}
    return {"success": False, "message": message}


def fail(status: int, message: str) -> Reply:
    return Reply(status, error(status, "", message))


def iso(ts: float) -> str:
    return (
        datetime.fromtimestamp(ts, tz=timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def authenticate(state: SandboxState, call: Call) -> Reply | None:
    key = call.request.headers.get("embed-api-key")
    if not key:
        return fail(401, "Unauthorized")
    if key != POSTNITRO_KEY:
        return fail(401, "Unable to find embed details, please check your Embed API key...")
    return None


def _paged(state: SandboxState, call: Call, key: str, label: str) -> Reply:
    try:
        page = int(call.params.get("page", "1"))
    except ValueError:
        page = 0
    if page < 1:
        return fail(422, "Page must be a positive integer")
    try:
        limit = int(call.params.get("limit", "10"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return fail(422, "Limit must be between 1 and 100")
    items = state.postnitro[key][(page - 1) * limit : page * limit]
    if not items:
        return fail(404, f"No {label} found")
    public = [{k: v for k, v in item.items() if k != "colors"} for item in items]
    if key == "templates" and state.settings.postnitro_output != "legacy":
        # An object, as PostNitro's own CLI types it (src/lib/types.ts:176-180); the docs
        # page, like older API versions, shows a string.
        public = [{**t, "size": template_size(str(t.get("size", "")))} for t in public]
    return Reply(200, {"success": True, "data": {key: public}})


def template_size(text: str) -> dict[str, Any]:
    """``"1080x1350"`` -> ``{"id": "4:5", "dimensions": {"width": 1080, "height": 1350}}``."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        width, height = 1080, 1350
    ratio = (
        "4:5"
        if (width, height) == (1080, 1350)
        else "1:1"
        if width == height
        else f"{width}x{height}"
    )
    return {"id": ratio, "dimensions": {"width": width, "height": height}}


def templates(state: SandboxState, call: Call) -> Reply:
    return _paged(state, call, "templates", "templates")


def brands(state: SandboxState, call: Call) -> Reply:
    return _paged(state, call, "brands", "brands")


def presets(state: SandboxState, call: Call) -> Reply:
    return _paged(state, call, "presets", "AI Config Presets")


def find(state: SandboxState, key: str, item_id: Any) -> dict[str, Any] | None:
    return next((i for i in state.postnitro[key] if i["id"] == item_id), None)


API = EmulatedApi("postnitro", PREFIX, authenticate, error, rate_limit_headers=False)


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "GET", "/template", templates),
        API.route(state, "GET", "/brand", brands),
        API.route(state, "GET", "/ai-preset", presets),
    ]

"""Emulated PowerPost API v1 (shared/api/powerpost.md): same paths, bodies, codes and credits.

What every endpoint shares lives here: the error envelope, the keys and the workspace it
accepts, credits charged and refunded, and jobs that finish after the sandbox's latency. The
endpoints are in powerpost_media, powerpost_captions, powerpost_images, powerpost_posts and
powerpost_planning."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from starlette.routing import Route

from contentctl.sandbox.api import Call, EmulatedApi, Reply
from contentctl.sandbox.endpoints import (
    POWERPOST_DRAFT_KEY,
    POWERPOST_KEY,
    POWERPOST_PREFIX,
    POWERPOST_WORKSPACE,
)
from contentctl.sandbox.state import SandboxState

PREFIX = POWERPOST_PREFIX
# Where the API's own status_url values point: they are root-relative (/api/v1/...), so the
# routes are also served there, and following one from the sandbox's origin works.
ROOT_RELATIVE = "/api/v1"
PLATFORM = {
    "instagram-feed": "instagram",
    "instagram-reel": "instagram",
    "instagram-story": "instagram",
    "tiktok-video": "tiktok",
    "tiktok-photos": "tiktok",
    "youtube-video": "youtube",
    "youtube-short": "youtube",
    "x-post": "x",
    "facebook-post": "facebook",
    "facebook-reel": "facebook",
    "facebook-story": "facebook",
    "linkedin-post": "linkedin",
}


def error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "code": code}}


def fail(status: int, code: str, message: str) -> Reply:
    return Reply(status, error(status, code, message))


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def authenticate(state: SandboxState, call: Call) -> Reply | None:
    headers = call.request.headers
    key = headers.get("x-api-key")
    bearer = headers.get("authorization", "")
    if key is None and bearer.lower().startswith("bearer "):
        key = bearer[7:]
    if key not in (POWERPOST_KEY, POWERPOST_DRAFT_KEY):
        return fail(401, "INVALID_API_KEY", "Invalid or missing API key")
    if key == POWERPOST_DRAFT_KEY and call.request.url.path.endswith("/publish"):
        return fail(403, "FORBIDDEN", "This API key is Draft Only: it cannot publish")
    if call.request.url.path.endswith("/account/credits"):
        return None
    workspace = headers.get("x-workspace-id")
    if not workspace:
        return fail(400, "VALIDATION_ERROR", "X-Workspace-Id header is required")
    if workspace != POWERPOST_WORKSPACE:
        return fail(403, "FORBIDDEN", "You do not have access to this workspace")
    return None


def charge(state: SandboxState, cost: float) -> Reply | None:
    pp = state.powerpost
    if pp["balance"] < cost:
        return fail(
            402,
            "INSUFFICIENT_CREDITS",
            f"Insufficient credits: this request costs {cost:g}, balance is {pp['balance']:g}",
        )
    pp["balance"] -= cost
    return None


def job_times(state: SandboxState) -> dict[str, Any]:
    now = state.now()
    return {
        "created": now,
        "ready_at": now + state.settings.latency,
        "fails": state.chance(state.settings.faults.job_failure),
    }


def credits(state: SandboxState, call: Call) -> Reply:
    return Reply(200, {"balance": state.powerpost["balance"]})


def settle(state: SandboxState, job: dict[str, Any], refund: float) -> str:
    if state.now() < job["ready_at"]:
        return "processing"
    if job["fails"]:
        if not job.get("refunded"):
            state.powerpost["balance"] += refund
            job["refunded"] = True
        return "failed"
    return "completed"


API = EmulatedApi(
    "powerpost", PREFIX, authenticate, error, rate_limit_headers=True, alias=ROOT_RELATIVE
)


def routes(state: SandboxState) -> list[Route]:
    """Credits; the other modules named above serve the rest."""
    return [API.route(state, "GET", "/account/credits", credits)]

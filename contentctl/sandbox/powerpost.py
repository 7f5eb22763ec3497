"""Emulated PowerPost API v1 (shared/api/powerpost.md): same paths, bodies, codes and credits."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any

from starlette.datastructures import UploadFile
from starlette.routing import Route

from contentctl.sandbox.api import Call, EmulatedApi, Reply
from contentctl.sandbox.content import caption
from contentctl.sandbox.endpoints import POWERPOST_PREFIX
from contentctl.sandbox.state import (
    POWERPOST_DRAFT_KEY,
    POWERPOST_KEY,
    POWERPOST_WORKSPACE,
    SandboxState,
)

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
SIZES = ("square", "feed", "portrait", "landscape")
MODEL_PRICE = {"flux2-flex": 5, "ideogram-3": 6, "nano-banana-2": 6, "gpt-image-1.5": 14}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
LIMITS = {"image": 10 * 1024 * 1024, "video": 500 * 1024 * 1024}


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


# ---- handlers ---------------------------------------------------------------------------


def credits(state: SandboxState, call: Call) -> Reply:
    return Reply(200, {"balance": state.powerpost["balance"]})


async def upload(state: SandboxState, call: Call) -> Reply:
    form = call.form or {}
    file = form.get("file")
    media_type = form.get("type")
    if not isinstance(file, UploadFile):
        return fail(400, "VALIDATION_ERROR", "file is required (multipart/form-data)")
    if media_type not in ("image", "video"):
        return fail(400, "VALIDATION_ERROR", "type must be 'image' or 'video'")
    content = await file.read()
    mime = file.content_type or ""
    allowed = IMAGE_TYPES if media_type == "image" else VIDEO_TYPES
    if mime not in allowed:
        return fail(
            400,
            "VALIDATION_ERROR",
            f"Unsupported {media_type} format {mime!r}; use {', '.join(sorted(allowed))}",
        )
    if len(content) > LIMITS[media_type]:
        return fail(
            413, "FILE_TOO_LARGE", f"File is larger than {LIMITS[media_type] // (1024 * 1024)} MB"
        )
    used = sum(m.get("file_size", 0) for m in state.powerpost["media"].values())
    if used + len(content) > state.settings.storage_quota:
        return fail(413, "STORAGE_QUOTA_EXCEEDED", "Storage quota exceeded")
    media_id = state.new_id()
    record = {
        "media_id": media_id,
        "type": media_type,
        "file_name": file.filename,
        "file_size": len(content),
        "mime_type": mime,
        "created_at": iso(state.now()),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    state.powerpost["media"][media_id] = record
    path = state.files_dir / "powerpost" / media_id
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return Reply(200, {k: v for k, v in record.items() if k != "sha256"}, created=media_id)


def generate(state: SandboxState, call: Call) -> Reply:
    body = call.json if isinstance(call.json, dict) else {}
    problem = _check_generate(state, body)
    if problem:
        return fail(400, "VALIDATION_ERROR", problem)
    media = [state.powerpost["media"][m] for m in body.get("media_ids", [])]
    cost = (8 if body["research_mode"] == "deep" else 6) + sum(
        1 for m in media if m["type"] == "image"
    )
    refused = charge(state, cost)
    if refused:
        return refused
    generation_id = state.new_id()
    platforms = list(dict.fromkeys(PLATFORM[t] for t in body["post_types"]))
    state.powerpost["generations"][generation_id] = {
        "generation_id": generation_id,
        "prompt": body.get("prompt") or "your media",
        "platforms": platforms,
        "post_types": body["post_types"],
        "research_mode": body["research_mode"],
        "credits_used": cost,
        "cta_text": body.get("cta_text"),
        **job_times(state),
    }
    return Reply(
        200,
        {
            "generation_id": generation_id,
            "status": "processing",
            "credits_used": cost,
            "remaining_credits": state.powerpost["balance"],
            "status_url": f"/api/v1/content/generations/{generation_id}",
        },
        created=generation_id,
    )


def _check_generate(state: SandboxState, body: dict[str, Any]) -> str | None:
    post_types = body.get("post_types")
    if not isinstance(post_types, list) or not post_types:
        return "post_types is required: a non-empty array"
    unknown = [t for t in post_types if t not in PLATFORM]
    if unknown:
        return f"Invalid post_types: {', '.join(map(str, unknown))}"
    if body.get("research_mode") not in ("regular", "deep"):
        return "research_mode is required: 'regular' or 'deep'"
    prompt = body.get("prompt")
    media_ids = body.get("media_ids") or []
    if prompt is None and not media_ids:
        return "Send prompt, media_ids, or both"
    if prompt is not None and (not isinstance(prompt, str) or not 3 <= len(prompt) <= 2000):
        return "prompt must be 3 to 2000 characters"
    if len(media_ids) > 10:
        return "media_ids: at most 10 images, or one video"
    missing = [m for m in media_ids if m not in state.powerpost["media"]]
    if missing:
        return f"Unknown media_ids: {', '.join(missing)}"
    if len(body.get("cta_text") or "") > 100:
        return "cta_text must be at most 100 characters"
    urls = body.get("source_urls") or []
    if len(urls) > 10 or any(not str(u).startswith("https://") for u in urls):
        return "source_urls: at most 10 https URLs"
    return None


def settle(state: SandboxState, job: dict[str, Any], refund: float) -> str:
    if state.now() < job["ready_at"]:
        return "processing"
    if job["fails"]:
        if not job.get("refunded"):
            state.powerpost["balance"] += refund
            job["refunded"] = True
        return "failed"
    return "completed"


def get_generation(state: SandboxState, call: Call) -> Reply:
    job = state.powerpost["generations"].get(call.path_params["generation_id"])
    if job is None:
        return fail(404, "NOT_FOUND", "Generation not found")
    status = settle(state, job, job["credits_used"])
    body = _generation_summary(job, status)
    if status == "completed":
        body["outputs"] = {
            p: caption(p, job["prompt"], job.get("cta_text")) for p in job["platforms"]
        }
    elif status == "failed":
        body["error"] = {"code": "GENERATION_FAILED", "message": "Failed to generate content"}
    return Reply(200, body)


def _generation_summary(job: dict[str, Any], status: str) -> dict[str, Any]:
    return {
        "generation_id": job["generation_id"],
        "status": status,
        "prompt": job["prompt"],
        "platforms": job["platforms"],
        "research_mode": job["research_mode"],
        "credits_used": job["credits_used"],
        "created_at": iso(job["created"]),
    }


def list_generations(state: SandboxState, call: Call) -> Reply:
    try:
        limit = int(call.params.get("limit", "20"))
    except ValueError:
        limit = -1
    if not 1 <= limit <= 100:
        return fail(400, "VALIDATION_ERROR", "limit must be between 1 and 100")
    wanted = call.params.get("status")
    jobs = sorted(state.powerpost["generations"].values(), key=lambda j: j["created"], reverse=True)
    rows = [_generation_summary(j, settle(state, j, j["credits_used"])) for j in jobs]
    if wanted:
        rows = [r for r in rows if r["status"] == wanted]
    cursor = call.params.get("cursor")
    start = (
        int(cursor.rsplit("_", 1)[1]) if cursor and re.fullmatch(r"gen_cursor_\d+", cursor) else 0
    )
    page = rows[start : start + limit]
    more = start + limit < len(rows)
    return Reply(
        200,
        {
            "data": page,
            "has_more": more,
            "next_cursor": f"gen_cursor_{start + limit}" if more else None,
        },
    )


API = EmulatedApi(
    "powerpost", PREFIX, authenticate, error, rate_limit_headers=True, alias=ROOT_RELATIVE
)


def routes(state: SandboxState) -> list[Route]:
    """Credits, media and captions; powerpost_posts and powerpost_planning serve the rest."""
    return [
        API.route(state, "GET", "/account/credits", credits),
        API.route(state, "POST", "/media/upload", upload),
        API.route(state, "POST", "/content/generate", generate),
        API.route(state, "GET", "/content/generations", list_generations),
        API.route(state, "GET", "/content/generations/{generation_id}", get_generation),
    ]

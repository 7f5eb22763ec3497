"""Emulated PowerPost API v1 (shared/api/powerpost.md): same paths, bodies, codes and credits."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any

from starlette.datastructures import UploadFile
from starlette.routing import Route

from contentctl.sandbox.api import Call, EmulatedApi, Reply, base_url
from contentctl.sandbox.content import caption
from contentctl.sandbox.state import (
    POWERPOST_DRAFT_KEY,
    POWERPOST_KEY,
    POWERPOST_WORKSPACE,
    SandboxState,
)

PREFIX = "/powerpost/api/v1"
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


def _iso(ts: float) -> str:
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


def _charge(state: SandboxState, cost: float) -> Reply | None:
    pp = state.powerpost
    if pp["balance"] < cost:
        return fail(
            402,
            "INSUFFICIENT_CREDITS",
            f"Insufficient credits: this request costs {cost:g}, balance is {pp['balance']:g}",
        )
    pp["balance"] -= cost
    return None


def _job_times(state: SandboxState) -> dict[str, Any]:
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
        "created_at": _iso(state.now()),
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
    refused = _charge(state, cost)
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
        **_job_times(state),
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


def _settle(state: SandboxState, job: dict[str, Any], refund: float) -> str:
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
    status = _settle(state, job, job["credits_used"])
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
        "created_at": _iso(job["created"]),
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
    rows = [_generation_summary(j, _settle(state, j, j["credits_used"])) for j in jobs]
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


def generate_images(state: SandboxState, call: Call) -> Reply:
    body = call.json if isinstance(call.json, dict) else {}
    pp = state.powerpost
    generation_id = body.get("generation_id")
    prompt = body.get("prompt")
    size = body.get("size", "square")
    quantity = body.get("quantity", 1)
    model = body.get("model", "flux2-flex")
    style = body.get("style_images") or []
    if prompt is None and generation_id is None:
        return fail(400, "VALIDATION_ERROR", "prompt is required unless generation_id is given")
    if prompt is not None and (not isinstance(prompt, str) or not 1 <= len(prompt) <= 2000):
        return fail(400, "VALIDATION_ERROR", "prompt must be at most 2000 characters")
    if size not in SIZES:
        return fail(400, "VALIDATION_ERROR", f"size must be one of {', '.join(SIZES)}")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 4:
        return fail(400, "VALIDATION_ERROR", "quantity must be an integer from 1 to 4")
    if model not in MODEL_PRICE:
        return fail(400, "VALIDATION_ERROR", f"model must be one of {', '.join(MODEL_PRICE)}")
    if model == "gpt-image-1.5" and size == "feed":
        return fail(400, "VALIDATION_ERROR", "gpt-image-1.5 does not support size 'feed'")
    if len(style) > 4 or any(m not in pp["media"] for m in style):
        return fail(400, "VALIDATION_ERROR", "style_images: up to 4 uploaded media ids")
    if generation_id is not None:
        generation = pp["generations"].get(generation_id)
        if generation is None:
            return fail(404, "NOT_FOUND", "Generation not found")
        if _settle(state, generation, generation["credits_used"]) != "completed":
            return fail(400, "VALIDATION_ERROR", "The generation is not completed yet")
        prompt = prompt or generation["prompt"]
    cost = MODEL_PRICE[model] * quantity
    refused = _charge(state, cost)
    if refused:
        return refused
    job_id = state.new_id()
    pp["images"][job_id] = {
        "image_generation_id": job_id,
        "prompt": prompt,
        "size": size,
        "quantity": quantity,
        "model": model,
        "credits_used": cost,
        **_job_times(state),
    }
    return Reply(
        200,
        {
            "image_generation_id": job_id,
            "status": "processing",
            "credits_used": cost,
            "remaining_credits": pp["balance"],
            "status_url": f"/api/v1/images/generations/{job_id}",
        },
        created=job_id,
    )


def get_images(state: SandboxState, call: Call) -> Reply:
    job = state.powerpost["images"].get(call.path_params["image_generation_id"])
    if job is None:
        return fail(404, "NOT_FOUND", "Image generation not found")
    status = _settle(state, job, job["credits_used"])
    body = {k: job[k] for k in ("image_generation_id", "prompt", "size", "quantity")}
    body.update(status=status, created_at=_iso(job["created"]))
    if status == "completed":
        root = base_url(call)
        images = []
        for i in range(job["quantity"]):
            media_id = f"{job['image_generation_id'][:23]}-img{i}"
            state.powerpost["media"].setdefault(
                media_id,
                {
                    "media_id": media_id,
                    "type": "image",
                    "generated": True,
                    "prompt": job["prompt"],
                    "size": job["size"],
                    "index": i,
                },
            )
            width, height = {
                "square": (1024, 1024),
                "feed": (1024, 1280),
                "portrait": (1024, 1820),
                "landscape": (1820, 1024),
            }[job["size"]]
            images.append(
                {
                    "media_id": media_id,
                    "url": f"{root}/files/powerpost/{media_id}.png",
                    "thumbnail_url": f"{root}/files/powerpost/{media_id}.png?thumb=1",
                    "width": width,
                    "height": height,
                }
            )
        body["images"] = images
    elif status == "failed":
        body["images"] = []
        body["error"] = {"code": "GENERATION_FAILED", "message": "Image generation failed"}
    return Reply(200, body)


def create_post(state: SandboxState, call: Call) -> Reply:
    body = call.json if isinstance(call.json, dict) else {}
    pp = state.powerpost
    items = body.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= 12:
        return fail(400, "VALIDATION_ERROR", "items must be an array of 1 to 12 items")
    outputs: dict[str, Any] = {}
    generation_id = body.get("generation_id")
    if generation_id is not None:
        generation = pp["generations"].get(generation_id)
        if generation is None:
            return fail(404, "NOT_FOUND", "Generation not found")
        if _settle(state, generation, generation["credits_used"]) != "completed":
            return fail(400, "VALIDATION_ERROR", "The generation is not completed")
        outputs = {
            p: caption(p, generation["prompt"], generation.get("cta_text"))
            for p in generation["platforms"]
        }
    made = []
    for i, item in enumerate(items):
        post_type = item.get("post_type") if isinstance(item, dict) else None
        if post_type not in PLATFORM:
            return fail(400, "VALIDATION_ERROR", f"items[{i}].post_type is invalid")
        platform = PLATFORM[post_type]
        generated = outputs.get(platform)
        content = item.get("content")
        title = item.get("title")
        if isinstance(generated, dict):
            content = content or generated.get("description")
            title = title or generated.get("title")
        elif content is None:
            content = generated
        if not content:
            return fail(400, "VALIDATION_ERROR", f"items[{i}].content is required")
        if platform == "youtube" and not title:
            return fail(400, "VALIDATION_ERROR", f"items[{i}].title is required for YouTube")
        media_ids = item.get("media_ids") or []
        unknown = [m for m in media_ids if m not in pp["media"]]
        if unknown:
            return fail(400, "VALIDATION_ERROR", f"Unknown media_ids: {', '.join(unknown)}")
        made.append(
            {
                "item_id": f"item-{i + 1:03d}",
                "post_type": post_type,
                "platform": platform,
                "content": content,
                **({"title": title} if title else {}),
                "media_ids": media_ids,
                "status": "draft",
            }
        )
    post_id = "post-" + state.new_id()
    pp["posts"][post_id] = {
        "post_id": post_id,
        "status": "draft",
        "created_at": _iso(state.now()),
        "items": made,
    }
    return Reply(200, pp["posts"][post_id], created=post_id)


def _settle_post(state: SandboxState, post: dict[str, Any]) -> None:
    if post["status"] != "publishing" or state.now() < post["ready_at"]:
        return
    failed = post["fails"]
    for item in post["items"]:
        item["status"] = "failed" if failed else "posted"
        if not failed:
            item["platform_post_id"] = (
                f"{item['platform']}_{item['item_id']}_{post['post_id'][-6:]}"
            )
    post["status"] = "failed" if failed else "published"
    if failed and not post.get("refunded"):
        state.powerpost["balance"] += post["credits_used"]
        post["refunded"] = True


def get_post(state: SandboxState, call: Call) -> Reply:
    post = state.powerpost["posts"].get(call.path_params["post_id"])
    if post is None:
        return fail(404, "NOT_FOUND", "Post not found")
    _settle_post(state, post)
    return Reply(
        200,
        {
            k: v
            for k, v in post.items()
            if k not in ("ready_at", "fails", "refunded", "credits_used")
        },
    )


def publish(state: SandboxState, call: Call) -> Reply:
    pp = state.powerpost
    post = pp["posts"].get(call.path_params["post_id"])
    if post is None:
        return fail(404, "NOT_FOUND", "Post not found")
    _settle_post(state, post)
    if post["status"] != "draft":
        return fail(409, "ALREADY_PUBLISHED", "Post is already published")
    for item in post["items"]:
        if item["platform"] not in pp["connected"]:
            return fail(
                422,
                "PLATFORM_NOT_CONNECTED",
                f"{item['platform']} is not connected to this workspace",
            )
    cost = 1 + (3 if any(i["platform"] == "x" for i in post["items"]) else 0)
    refused = _charge(state, cost)
    if refused:
        return refused
    post.update(
        status="publishing",
        credits_used=cost,
        **{k: v for k, v in _job_times(state).items() if k != "created"},
    )
    for item in post["items"]:
        item["status"] = "posting"
    return Reply(
        200,
        {
            "post_id": post["post_id"],
            "status": "publishing",
            "credits_used": cost,
            "status_url": f"/api/v1/posts/{post['post_id']}",
        },
        created=post["post_id"],
    )


API = EmulatedApi("powerpost", PREFIX, authenticate, error, rate_limit_headers=True)


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "GET", "/account/credits", credits),
        API.route(state, "POST", "/media/upload", upload),
        API.route(state, "POST", "/content/generate", generate),
        API.route(state, "GET", "/content/generations", list_generations),
        API.route(state, "GET", "/content/generations/{generation_id}", get_generation),
        API.route(state, "POST", "/images/generate", generate_images),
        API.route(state, "GET", "/images/generations/{image_generation_id}", get_images),
        API.route(state, "POST", "/posts", create_post),
        API.route(state, "GET", "/posts/{post_id}", get_post),
        API.route(state, "POST", "/posts/{post_id}/publish", publish),
    ]

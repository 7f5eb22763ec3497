"""Emulated PowerPost caption generation (shared/api/powerpost.md): a paid job per request,
its status, and the list of generations with its cursor."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from contentctl.sandbox.api import Call, Reply
from contentctl.sandbox.content import caption
from contentctl.sandbox.powerpost import API, PLATFORM, charge, fail, iso, job_times, settle
from contentctl.sandbox.state import SandboxState


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


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "POST", "/content/generate", generate),
        API.route(state, "GET", "/content/generations", list_generations),
        API.route(state, "GET", "/content/generations/{generation_id}", get_generation),
    ]

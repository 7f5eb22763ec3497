"""Emulated PowerPost videos and content calendar (shared/api/powerpost.md §5.11).

Both appear only in the newer docs; shapes the docs leave open follow PowerPost's own
skill ([SK]). Video prices are not documented at all: the sandbox charges per second by
model (the same defaults as contentctl's price table) so estimates can be compared.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from starlette.routing import Route

from contentctl.sandbox.api import Call, Reply, base_url
from contentctl.sandbox.powerpost import API, charge, fail, iso, job_times, settle
from contentctl.sandbox.state import SandboxState

VIDEO_MODELS = {
    # model: (durations, audio, prompt limit)
    "kling-3.0-pro": ((5, 10), True, 2500),
    "veo-3.1": ((4, 8), True, 3000),
    "runway-gen-4.5": ((5, 10), False, 1000),
}
VIDEO_PRICE_PER_SECOND = {"kling-3.0-pro": 6, "veo-3.1": 10, "runway-gen-4.5": 5}
VIDEO_AUDIO_PER_SECOND = 1
VIDEO_SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
PLATFORMS = ("instagram", "tiktok", "youtube", "x", "facebook", "linkedin")
# The smallest thing that passes for an MP4: an ftyp box.
PLACEHOLDER_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def generate_video(state: SandboxState, call: Call) -> Reply:
    body = call.json if isinstance(call.json, dict) else {}
    pp = state.powerpost
    model = body.get("model", "kling-3.0-pro")
    if model not in VIDEO_MODELS:
        return fail(400, "VALIDATION_ERROR", f"model must be one of {', '.join(VIDEO_MODELS)}")
    durations, has_audio, limit = VIDEO_MODELS[model]
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not 1 <= len(prompt) <= limit:
        return fail(400, "VALIDATION_ERROR", f"prompt is required, at most {limit} characters")
    size = body.get("size", "landscape")
    if size not in VIDEO_SIZES:
        return fail(400, "VALIDATION_ERROR", "size must be landscape or portrait")
    duration = body.get("duration")
    if duration not in durations or isinstance(duration, bool):
        allowed = " or ".join(map(str, durations))
        return fail(400, "VALIDATION_ERROR", f"duration must be {allowed} for {model}")
    audio = body.get("has_audio", False)
    if not isinstance(audio, bool) or (audio and not has_audio):
        return fail(400, "VALIDATION_ERROR", f"{model} does not generate audio")
    source = body.get("source_image")
    if source is not None and (pp["media"].get(source) or {}).get("type") != "image":
        return fail(400, "VALIDATION_ERROR", "source_image must be an uploaded image's media id")
    cost = (VIDEO_PRICE_PER_SECOND[model] + (VIDEO_AUDIO_PER_SECOND if audio else 0)) * duration
    refused = charge(state, cost)
    if refused:
        return refused
    job_id = state.new_id()
    pp.setdefault("videos", {})[job_id] = {
        "video_generation_id": job_id,
        "prompt": prompt,
        "model": model,
        "size": size,
        "duration": duration,
        "has_audio": audio,
        "credits_used": cost,
        **job_times(state),
    }
    return Reply(
        200,
        {
            "video_generation_id": job_id,
            "status": "processing",
            "credits_used": cost,
            "remaining_credits": pp["balance"],
            "status_url": f"/api/v1/videos/generations/{job_id}",
        },
        created=job_id,
    )


def get_video(state: SandboxState, call: Call) -> Reply:
    job = state.powerpost.get("videos", {}).get(call.path_params["video_generation_id"])
    if job is None:
        return fail(404, "NOT_FOUND", "Video generation not found")
    status = settle(state, job, job["credits_used"])
    keep = ("video_generation_id", "prompt", "model", "size", "duration", "credits_used")
    body: dict[str, Any] = {k: job[k] for k in keep}
    body.update(status=status, created_at=iso(job["created"]))
    if status == "completed":
        media_id = f"{job['video_generation_id'][:23]}-vid"
        if media_id not in state.powerpost["media"]:
            path = state.files_dir / "powerpost" / media_id
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(PLACEHOLDER_MP4)
            state.powerpost["media"][media_id] = {
                "media_id": media_id,
                "type": "video",
                "file_name": f"{media_id}.mp4",
                "file_size": len(PLACEHOLDER_MP4),
                "mime_type": "video/mp4",
                "created_at": iso(job["ready_at"]),
            }
        width, height = VIDEO_SIZES[job["size"]]
        root = base_url(call)
        body["video"] = {
            "media_id": media_id,
            "url": f"{root}/files/powerpost/{media_id}.mp4",
            "thumbnail_url": f"{root}/files/powerpost/{media_id}.mp4?thumb=1",
            "width": width,
            "height": height,
            "duration": job["duration"],
        }
    elif status == "failed":
        body["error"] = {"code": "VIDEO_GENERATION_FAILED", "message": "Video generation failed"}
    return Reply(200, body)


# ---- calendar ------------------------------------------------------------------------------

ENTRY_FIELDS = ("title", "description", "scheduled_date", "scheduled_time", "platforms")


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _check_entry(body: Any, partial: bool) -> str | None:
    if not isinstance(body, dict):
        return "Body must be a JSON object"
    unknown = set(body) - set(ENTRY_FIELDS)
    if unknown:
        return f"Unknown fields: {', '.join(sorted(unknown))}"
    if not partial or "title" in body:
        title = body.get("title")
        if not isinstance(title, str) or not 1 <= len(title) <= 500:
            return "title is required, at most 500 characters"
    if (not partial or "scheduled_date" in body) and _day(body.get("scheduled_date")) is None:
        return "scheduled_date is required: YYYY-MM-DD"
    description = body.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 5000):
        return "description must be at most 5000 characters"
    time = body.get("scheduled_time")
    if time is not None and not (
        isinstance(time, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time)
    ):
        return "scheduled_time must be HH:MM"
    platforms = body.get("platforms")
    if platforms is not None and (
        not isinstance(platforms, list) or any(p not in PLATFORMS for p in platforms)
    ):
        return f"platforms must be a list of {', '.join(PLATFORMS)}"
    return None


def _entries(state: SandboxState) -> dict[str, dict[str, Any]]:
    return state.powerpost.setdefault("calendar", {})  # type: ignore[no-any-return]


def list_entries(state: SandboxState, call: Call) -> Reply:
    start, end = _day(call.params.get("start_date")), _day(call.params.get("end_date"))
    if start is None or end is None:
        return fail(400, "VALIDATION_ERROR", "start_date and end_date are required: YYYY-MM-DD")
    if end < start or (end - start).days > 366:
        return fail(400, "VALIDATION_ERROR", "The date range may span at most 366 days")
    rows = [
        e
        for e in _entries(state).values()
        if start <= date.fromisoformat(e["scheduled_date"]) <= end
    ]
    return Reply(200, {"entries": sorted(rows, key=lambda e: e["scheduled_date"])})


def create_entry(state: SandboxState, call: Call) -> Reply:
    problem = _check_entry(call.json, partial=False)
    if problem:
        return fail(400, "VALIDATION_ERROR", problem)
    entry_id = state.new_id()
    now = iso(state.now())
    entry = {
        "entry_id": entry_id,
        "title": call.json["title"],
        "description": call.json.get("description"),
        "scheduled_date": call.json["scheduled_date"],
        "scheduled_time": call.json.get("scheduled_time"),
        "platforms": call.json.get("platforms") or [],
        "status": "planned",
        "created_at": now,
        "updated_at": now,
    }
    _entries(state)[entry_id] = entry
    return Reply(201, entry, created=entry_id)


def get_entry(state: SandboxState, call: Call) -> Reply:
    entry = _entries(state).get(call.path_params["entry_id"])
    if entry is None:
        return fail(404, "NOT_FOUND", "Calendar entry not found")
    return Reply(200, entry)


def update_entry(state: SandboxState, call: Call) -> Reply:
    entry = _entries(state).get(call.path_params["entry_id"])
    if entry is None:
        return fail(404, "NOT_FOUND", "Calendar entry not found")
    problem = _check_entry(call.json, partial=True)
    if problem:
        return fail(400, "VALIDATION_ERROR", problem)
    entry.update(call.json)
    if entry.get("platforms") is None:
        entry["platforms"] = []
    entry["updated_at"] = iso(state.now())
    return Reply(200, entry)


def delete_entry(state: SandboxState, call: Call) -> Reply:
    if _entries(state).pop(call.path_params["entry_id"], None) is None:
        return fail(404, "NOT_FOUND", "Calendar entry not found")
    return Reply(200, {"success": True})


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "POST", "/videos/generate", generate_video),
        API.route(state, "GET", "/videos/generations/{video_generation_id}", get_video),
        API.route(state, "GET", "/calendar/entries", list_entries),
        API.route(state, "POST", "/calendar/entries", create_entry),
        API.route(state, "GET", "/calendar/entries/{entry_id}", get_entry),
        API.route(state, "PATCH", "/calendar/entries/{entry_id}", update_entry),
        API.route(state, "DELETE", "/calendar/entries/{entry_id}", delete_entry),
    ]

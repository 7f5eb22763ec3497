"""Emulated PowerPost media upload (shared/api/powerpost.md): the formats, sizes and storage
quota it accepts, the file kept where the sandbox's file routes serve it."""

from __future__ import annotations

import hashlib

from starlette.datastructures import UploadFile
from starlette.routing import Route

from contentctl.sandbox.api import Call, Reply
from contentctl.sandbox.powerpost import API, fail, iso
from contentctl.sandbox.state import SandboxState

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
LIMITS = {"image": 10 * 1024 * 1024, "video": 500 * 1024 * 1024}


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


def routes(state: SandboxState) -> list[Route]:
    return [API.route(state, "POST", "/media/upload", upload)]

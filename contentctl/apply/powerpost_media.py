"""PowerPost media uploads: a Media resource's file, and a carousel's slides for a Post."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contentctl.apply.runners import StepContext, Submitted
from contentctl.apply.sync_steps import SyncStep
from contentctl.errors import ContentctlError
from contentctl.validate.semantic import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, media_path, media_type


class MediaUpload(SyncStep):
    paid = False

    async def submit(self, ctx: StepContext) -> Submitted:
        path = media_path(ctx.project.root, ctx.resource)
        kind = media_type(ctx.resource)
        mime = {**IMAGE_EXTENSIONS, **VIDEO_EXTENSIONS}.get(
            path.suffix.lower(), "application/octet-stream"
        )
        answer = await ctx.providers.require_powerpost().upload_media(
            path.read_bytes(), path.name, kind, mime
        )
        media_id = str(answer["media_id"])
        keep = ("media_id", "type", "file_name", "file_size", "mime_type")
        return Submitted(media_id, 0, {k: answer[k] for k in keep if k in answer})


class CarouselSlides(SyncStep):
    """A carousel's PNG slides uploaded to PowerPost as images, for a Post to use.

    The files the carousel's download step saved are used when their bytes still match;
    otherwise they are fetched again from the render's output URLs.
    """

    paid = False

    async def submit(self, ctx: StepContext) -> Submitted:
        client = ctx.providers.require_powerpost()
        lock = ctx.lockfile
        uploads = []
        for up in ctx.spec.upstream:
            render = ctx.upstream[up.key].outputs
            saved = lock.step(up.address, "download")
            local = list(saved.outputs.get("files", [])) if saved else []
            sources = list(render.get("files", []))
            media_ids = []
            for i, source in enumerate(sources):
                content = _saved_file(ctx.project.root, local[i] if i < len(local) else None)
                if content is None:
                    content, mime = await ctx.providers.downloads.fetch(source)
                    if mime != "image/png":
                        raise ContentctlError(
                            f"{up.address} slide {i + 1} is {mime}, not a PNG image",
                            hint=f"set response_type: PNG on {up.address}",
                        )
                name = f"{up.address.split('/', 1)[1]}-slide-{i + 1:02d}.png"
                answer = await client.upload_media(content, name, "image", "image/png")
                media_ids.append(str(answer["media_id"]))
            uploads.append({"media_ids": media_ids})
        return Submitted(None, 0, {"uploads": uploads})


def _saved_file(root: Path, saved: Any) -> bytes | None:
    """A downloaded artifact's bytes, if the file is still there and unchanged."""
    if not isinstance(saved, Mapping) or not str(saved.get("path", "")).endswith(".png"):
        return None
    try:
        content = (root / str(saved["path"])).read_bytes()
    except OSError:
        return None
    return content if hashlib.sha256(content).hexdigest() == saved.get("sha256") else None

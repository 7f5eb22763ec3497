"""A rendered carousel's files saved under the project's output folder."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from contentctl.apply.runners import StepContext, Submitted
from contentctl.apply.sync_steps import SyncStep
from contentctl.errors import ContentctlError


class Download(SyncStep):
    paid = False

    async def submit(self, ctx: StepContext) -> Submitted:
        render = ctx.up(ctx.resource.address, "render").outputs
        folder = Path(ctx.project.out_dir) / ctx.resource.name
        target = ctx.project.root / folder
        files = []
        sources = list(render.get("files", []))
        for i, source in enumerate(sources):
            target.mkdir(parents=True, exist_ok=True)
            content, mime = await ctx.providers.downloads.fetch(source)
            extension = mimetypes.guess_extension(mime) or ".bin"
            name = (
                f"slide_{i + 1:02d}{extension}"
                if extension != ".pdf"
                else f"{ctx.resource.name}.pdf"
            )
            try:
                (target / name).write_bytes(content)
            except OSError as exc:
                raise ContentctlError(
                    f"cannot save {(folder / name).as_posix()}: {exc.strerror or exc}",
                    hint="free disk space (or fix the folder's permissions), then run apply "
                    "again: the render is kept, only the download runs again",
                ) from exc
            files.append(
                {
                    "path": (folder / name).as_posix(),
                    "bytes": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
        return Submitted(None, 0, {"files": files})

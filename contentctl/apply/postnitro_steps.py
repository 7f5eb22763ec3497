"""PostNitro steps: look up template and brand, render the carousel, download its files."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from contentctl.apply.runners import (
    DOWNLOAD_TYPES,
    MAX_DOWNLOAD_BYTES,
    Collected,
    StepContext,
    Submitted,
    SyncStep,
)
from contentctl.errors import ApiError, ContentctlError, JobFailedError
from contentctl.providers.http import poll
from contentctl.providers.postnitro import design_id, output_files


class Lookup(SyncStep):
    async def submit(self, ctx: StepContext) -> Submitted:
        client = ctx.providers.require_postnitro()
        spec = ctx.resource.spec
        template_id = spec.get("template_id") or _by_name(
            await client.templates(), spec["template"]["name"], "template"
        )
        brand_id = spec.get("brand_id") or _by_name(
            await client.brands(), spec["brand"]["name"], "brand"
        )
        return Submitted(None, 0, {"template_id": template_id, "brand_id": brand_id})


def _by_name(items: Sequence[Mapping[str, Any]], name: str, what: str) -> str:
    for item in items:
        if item.get("name") == name:
            return str(item["id"])
    names = ", ".join(repr(i.get("name")) for i in items) or "none"
    raise ContentctlError(
        f"no PostNitro {what} named {name!r}", hint=f"{what}s in this workspace: {names}"
    )


class Render:
    safe_to_resubmit = False

    async def reconcile(self, ctx: StepContext) -> str | None:
        return None  # PostNitro has no list of jobs; requestorId is only a label

    async def submit(self, ctx: StepContext) -> Submitted:
        spec = ctx.resource.spec
        ids = ctx.up(ctx.resource.address, "lookup").outputs
        body: dict[str, Any] = {
            "postType": "CAROUSEL",
            "requestorId": ctx.request_ref,
            "templateId": ids["template_id"],
            "brandId": ids["brand_id"],
            "responseType": spec.get("response_type", "PNG"),
        }
        images = spec.get("generate_images")
        if images is not None:
            renamed = {
                "context": "context",
                "placement": "imagePlacement",
                "strategy": "imageStrategy",
            }
            body["generateImages"] = {renamed[k]: v for k, v in images.items()}
        client = ctx.providers.require_postnitro()
        if "generate" in spec:
            generate = spec["generate"]
            body["presetId"] = generate["preset_id"]
            body["aiGeneration"] = {
                k: generate[k] for k in ("type", "context", "instructions") if k in generate
            }
            answer = await client.initiate_generate(body)
        else:
            body["slides"] = [_slide(s) for s in spec["slides"]]
            answer = await client.initiate_import(body)
        return Submitted(str(answer["embedPostId"]))

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:
        client = ctx.providers.require_postnitro()
        status = await poll(
            lambda: client.status(remote_id),
            lambda s: s.get("embedPost", {}).get("status") in ("COMPLETED", "FAILED"),
            ctx.polling["postnitro"],
            provider="postnitro",
            what=f"carousel {remote_id}",
            sleep=ctx.sleep,
        )
        if status["embedPost"]["status"] == "FAILED":
            logs = status.get("logs") or [{}]
            raise JobFailedError(
                str(logs[-1].get("message") or "carousel rendering failed"), provider="postnitro"
            )
        output = await client.output(remote_id)
        result = output.get("result") or {}
        size = result.get("size")
        outputs = {
            "design_id": design_id(result),
            "editor_url": result.get("editorUrl"),
            "name": result.get("name"),
            "type": result.get("type"),
            "size": size.get("id") if isinstance(size, Mapping) else size,
            "files": output_files(result),
            # PostNitro does not say how long these links last: the files are kept in out/.
            "urls_expire": "unknown; download promptly",
        }
        return Collected(outputs, (output.get("embedPost") or {}).get("credits"))


def _slide(slide: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        k: slide[k]
        for k in (
            "type",
            "heading",
            "sub_heading",
            "description",
            "cta_button",
            "image",
            "background_image",
        )
        if k in slide
    }
    if slide.get("layout"):
        out["layoutType"] = slide["layout"]
    info = slide.get("infographic")
    if info:
        config: dict[str, Any] = {
            "columnCount": info["column_count"],
            "columnDisplay": info["column_display"],
            "displayCounterAs": info["display_counter_as"],
            "hasHeader": info["has_header"],
        }
        if "columns" in info:
            config["columnData"] = info["columns"]
        out["layoutConfig"] = config
    return out


class Download(SyncStep):
    async def submit(self, ctx: StepContext) -> Submitted:
        render = ctx.up(ctx.resource.address, "render").outputs
        folder = Path(ctx.project.out_dir) / ctx.resource.name
        target = ctx.project.root / folder
        files = []
        sources = list(render.get("files", []))
        for i, source in enumerate(sources):
            target.mkdir(parents=True, exist_ok=True)
            content, mime = await fetch(ctx.providers.downloads, source)
            extension = mimetypes.guess_extension(mime) or ".bin"
            name = (
                f"slide_{i + 1:02d}{extension}"
                if extension != ".pdf"
                else f"{ctx.resource.name}.pdf"
            )
            (target / name).write_bytes(content)
            files.append(
                {
                    "path": (folder / name).as_posix(),
                    "bytes": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
        return Submitted(None, 0, {"files": files})


async def fetch(client: httpx.AsyncClient, source: str) -> tuple[bytes, str]:
    """An output file: a URL fetched with size and type limits, or inline base64."""
    if not source.startswith(("http://", "https://")):
        content = base64.b64decode(source)  # older API versions sent the file inline
        return content, "application/pdf" if content.startswith(b"%PDF") else "image/png"
    async with client.stream("GET", source) as response:
        if response.status_code != 200:
            raise ApiError(
                f"download of {source} failed",
                provider="postnitro",
                status=response.status_code,
                hint="output URLs may have expired; run apply with --replace",
            )
        mime = response.headers.get("content-type", "").split(";")[0].strip()
        if mime not in DOWNLOAD_TYPES:
            raise ApiError(
                f"download of {source} is {mime or 'untyped'}, not an image or PDF",
                provider="postnitro",
            )
        declared = int(response.headers.get("content-length") or 0)
        if declared > MAX_DOWNLOAD_BYTES:
            raise ApiError(
                f"download of {source} is {declared} bytes; the limit is {MAX_DOWNLOAD_BYTES}",
                provider="postnitro",
            )
        chunks = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > MAX_DOWNLOAD_BYTES:
                raise ApiError(
                    f"download of {source} exceeds {MAX_DOWNLOAD_BYTES} bytes", provider="postnitro"
                )
            chunks.append(chunk)
        return b"".join(chunks), mime

"""What each step does against the APIs: build the request from the spec, read the answer.

A runner has ``submit`` (one request; for asynchronous jobs it returns the job id at once, so
the executor can record it before polling) and, for jobs, ``collect`` (poll to the end).
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from contentctl.config import Polling, Project
from contentctl.errors import ApiError, ContentctlError, JobFailedError
from contentctl.lockfile import StepRecord
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec
from contentctl.providers import Providers
from contentctl.providers.http import Sleep, poll
from contentctl.providers.postnitro import design_id, output_files
from contentctl.validate.semantic import (
    IMAGE_EXTENSIONS,
    POST_TYPE_PLATFORM,
    VIDEO_EXTENSIONS,
    media_path,
    media_type,
)

MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024
CLOCK_SKEW = 300  # seconds of disagreement tolerated between our clock and the API's
DOWNLOAD_TYPES = ("image/png", "image/jpeg", "image/webp", "application/pdf")


@dataclass(frozen=True)
class Submitted:
    remote_id: str | None
    credits_used: float | None = None
    outputs: Mapping[str, Any] | None = None  # set when the step finished in one request

    @property
    def done(self) -> bool:
        return self.outputs is not None


@dataclass(frozen=True)
class Collected:
    outputs: Mapping[str, Any]
    credits_used: float | None = None


@dataclass
class StepContext:
    project: Project
    resource: Resource
    spec: StepSpec
    upstream: Mapping[str, StepRecord]  # keyed by Upstream.key
    providers: Providers
    request_ref: str
    polling: Mapping[str, Polling]
    sleep: Sleep
    previous: StepRecord | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def up(self, address: str, step: str) -> StepRecord:
        return self.upstream[f"{address}#{step}"]

    def own(self, step: str) -> StepRecord | None:
        return self.upstream.get(f"{self.resource.address}#{step}")


class Runner(Protocol):
    """One kind of step. ``collect`` exists only for asynchronous jobs.

    ``safe_to_resubmit`` says whether sending the request again after an interrupted
    submission can cost nothing twice (free calls, or calls the API refuses to repeat).
    """

    safe_to_resubmit: bool

    async def submit(self, ctx: StepContext) -> Submitted: ...

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected: ...

    async def reconcile(self, ctx: StepContext) -> str | None:
        """Find a job an interrupted submission may have created; None when impossible."""
        ...


class _Sync:
    safe_to_resubmit = True  # free, synchronous calls: at worst a duplicate draft or upload

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:  # pragma: no cover
        raise AssertionError("synchronous steps have nothing to collect")

    async def reconcile(self, ctx: StepContext) -> str | None:
        return None


# ---- PowerPost ---------------------------------------------------------------------------


class MediaUpload(_Sync):
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


class Captions:
    safe_to_resubmit = False

    async def submit(self, ctx: StepContext) -> Submitted:
        captions = ctx.resource.spec["captions"]
        body: dict[str, Any] = {
            "post_types": list(ctx.resource.spec["post_types"]),
            "research_mode": captions.get("research_mode", "regular"),
        }
        for key in ("prompt", "writing_style_id", "cta_text", "source_urls"):
            if key in captions:
                body[key] = captions[key]
        media = [ctx.up(a, "upload").remote_id for a in captions.get("media", [])]
        if media:
            body["media_ids"] = media
        answer = await ctx.providers.require_powerpost().generate_content(body)
        return Submitted(str(answer["generation_id"]), answer.get("credits_used"))

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:
        client = ctx.providers.require_powerpost()
        job = await poll(
            lambda: client.get_generation(remote_id),
            lambda j: j.get("status") in ("completed", "failed"),
            ctx.polling["powerpost"],
            provider="powerpost",
            what=f"caption generation {remote_id}",
            sleep=ctx.sleep,
        )
        if job["status"] == "failed":
            raise _job_failed("powerpost", "caption generation", job)
        return Collected(dict(job.get("outputs") or {}), job.get("credits_used"))

    async def reconcile(self, ctx: StepContext) -> str | None:
        """Generations can be listed: adopt one made with this prompt after we submitted."""
        client = ctx.providers.require_powerpost()
        prompt = ctx.resource.spec["captions"].get("prompt")
        since = _seconds(ctx.previous.submitted_at if ctx.previous else None) - CLOCK_SKEW
        taken = set(ctx.extra.get("known_generation_ids", ()))
        answer = await client.list_generations(limit=100)
        for row in answer.get("data", []):
            if (
                row.get("prompt") == prompt
                and _seconds(row.get("created_at")) >= since
                and row.get("generation_id") not in taken
            ):
                return str(row["generation_id"])
        return None


class Images:
    safe_to_resubmit = False

    async def reconcile(self, ctx: StepContext) -> str | None:
        return None  # image generations cannot be listed

    async def submit(self, ctx: StepContext) -> Submitted:
        images = ctx.resource.spec["images"]
        body: dict[str, Any] = {
            "size": images.get("size", "square"),
            "quantity": images.get("quantity", 1),
            "model": images.get("model", "flux2-flex"),
        }
        for key in ("prompt", "enhance_prompt", "source_post_type"):
            if key in images:
                body[key] = images[key]
        style = [ctx.up(a, "upload").remote_id for a in images.get("style_images", [])]
        if style:
            body["style_images"] = style
        captions = ctx.own("captions")
        if "prompt" not in images and captions is not None:
            body["generation_id"] = captions.remote_id
        answer = await ctx.providers.require_powerpost().generate_images(body)
        return Submitted(str(answer["image_generation_id"]), answer.get("credits_used"))

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:
        client = ctx.providers.require_powerpost()
        job = await poll(
            lambda: client.get_image_generation(remote_id),
            lambda j: j.get("status") in ("completed", "failed"),
            ctx.polling["powerpost"],
            provider="powerpost",
            what=f"image generation {remote_id}",
            sleep=ctx.sleep,
        )
        if job["status"] == "failed":
            raise _job_failed("powerpost", "image generation", job)
        images = [
            {k: i.get(k) for k in ("media_id", "url", "width", "height")}
            for i in job.get("images", [])
        ]
        return Collected(
            {
                "media_ids": [i["media_id"] for i in images],
                "images": images,
                "urls_expire": "preview URLs expire 7 days after generation",
            }
        )


class CreatePost(_Sync):
    async def submit(self, ctx: StepContext) -> Submitted:
        spec = ctx.resource.spec
        captions = spec.get("captions") or {}
        literal: Mapping[str, Any] = captions.get("text") or {}
        overrides = {i["post_type"]: i for i in spec.get("items", [])}
        media_ids: list[str] = []
        generated = ctx.own("images")
        if generated is not None:
            media_ids.extend(generated.outputs.get("media_ids", []))
        for ref in (spec.get("images") or {}).get("media", []):
            media_ids.append(str(ctx.up(ref, "upload").remote_id))
        items = []
        for post_type in spec["post_types"]:
            item: dict[str, Any] = {"post_type": post_type}
            text = literal.get(POST_TYPE_PLATFORM[post_type])
            if isinstance(text, Mapping):
                item["content"], item["title"] = text["description"], text["title"]
            elif isinstance(text, str):
                item["content"] = text
            override = overrides.get(post_type, {})
            item.update({k: override[k] for k in ("content", "title") if k in override})
            if media_ids:
                item["media_ids"] = media_ids
            items.append(item)
        generation = ctx.own("captions")
        answer = await ctx.providers.require_powerpost().create_post(
            generation.remote_id if generation else None, items
        )
        kept = [
            {
                k: i.get(k)
                for k in ("item_id", "post_type", "platform", "status")
                if i.get(k) is not None
            }
            for i in answer.get("items", [])
        ]
        return Submitted(
            str(answer["post_id"]),
            0,
            {"post_id": answer["post_id"], "status": answer.get("status"), "items": kept},
        )


class Publish:
    async def submit(self, ctx: StepContext) -> Submitted:
        post_id = str(ctx.up(ctx.resource.address, "post").remote_id)
        try:
            answer = await ctx.providers.require_powerpost().publish_post(post_id)
        except ApiError as exc:
            if exc.code == "ALREADY_PUBLISHED":  # an earlier, interrupted run got through
                return Submitted(post_id, None)
            raise
        return Submitted(post_id, answer.get("credits_used"))

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:
        client = ctx.providers.require_powerpost()
        post = await poll(
            lambda: client.get_post(remote_id),
            lambda p: p.get("status") in ("published", "failed"),
            ctx.polling["powerpost"],
            provider="powerpost",
            what=f"publishing {remote_id}",
            sleep=ctx.sleep,
        )
        items = [
            {
                k: i.get(k)
                for k in ("post_type", "status", "platform_post_id")
                if i.get(k) is not None
            }
            for i in post.get("items", [])
        ]
        if post["status"] == "failed":
            failed = ", ".join(i["post_type"] for i in items if i.get("status") == "failed")
            raise JobFailedError(
                f"publishing failed for {failed or 'all items'}",
                provider="powerpost",
                hint="check the platform connections in PowerPost",
            )
        return Collected({"status": post["status"], "items": items})

    # Publishing twice is refused by the API (409 ALREADY_PUBLISHED): submitting again is safe.
    safe_to_resubmit = True

    async def reconcile(self, ctx: StepContext) -> str | None:
        return None


# ---- PostNitro ---------------------------------------------------------------------------


class Lookup(_Sync):
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


class Download(_Sync):
    async def submit(self, ctx: StepContext) -> Submitted:
        render = ctx.up(ctx.resource.address, "render").outputs
        folder = Path(ctx.project.out_dir) / ctx.resource.name
        target = ctx.project.root / folder
        files = []
        sources = list(render.get("files", []))
        for i, source in enumerate(sources):
            target.mkdir(parents=True, exist_ok=True)
            content, mime = await _fetch(ctx, source)
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


async def _fetch(ctx: StepContext, source: str) -> tuple[bytes, str]:
    if not source.startswith(("http://", "https://")):
        content = base64.b64decode(source)  # older API versions sent the file inline
        return content, "application/pdf" if content.startswith(b"%PDF") else "image/png"
    async with ctx.providers.downloads.stream("GET", source) as response:
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


def _seconds(timestamp: object) -> float:
    """Epoch seconds of an ISO-8601 UTC timestamp; 0 when there is none."""
    if not isinstance(timestamp, str) or not timestamp:
        return 0.0
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def _job_failed(provider: str, what: str, job: Mapping[str, Any]) -> JobFailedError:
    found = job.get("error")
    error: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    message = str(error.get("message") or f"{what} failed")
    code = error.get("code")
    return JobFailedError(
        message,
        provider=provider,
        code=str(code) if code else None,
        hint="failed jobs are refunded; run apply again to retry",
    )


RUNNERS: Mapping[tuple[str, str], Runner] = {
    ("Media", "upload"): MediaUpload(),
    ("Post", "captions"): Captions(),
    ("Post", "images"): Images(),
    ("Post", "post"): CreatePost(),
    ("Post", "publish"): Publish(),
    ("Carousel", "lookup"): Lookup(),
    ("Carousel", "render"): Render(),
    ("Carousel", "download"): Download(),
}
ASYNC_STEPS = {
    ("Post", "captions"),
    ("Post", "images"),
    ("Post", "publish"),
    ("Carousel", "render"),
}

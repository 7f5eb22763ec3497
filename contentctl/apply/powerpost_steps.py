"""PowerPost steps: media upload, captions, images, the post draft, publishing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from contentctl.apply.runners import (
    CLOCK_SKEW,
    Collected,
    StepContext,
    Submitted,
    SyncStep,
    job_failed,
    seconds_of,
)
from contentctl.errors import ApiError, JobFailedError
from contentctl.providers.http import poll
from contentctl.validate.semantic import (
    IMAGE_EXTENSIONS,
    POST_TYPE_PLATFORM,
    VIDEO_EXTENSIONS,
    media_path,
    media_type,
)


class MediaUpload(SyncStep):
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
        job = await _finished(
            ctx, lambda: client.get_generation(remote_id), f"caption generation {remote_id}"
        )
        return Collected(dict(job.get("outputs") or {}), job.get("credits_used"))

    async def reconcile(self, ctx: StepContext) -> str | None:
        """Generations can be listed: adopt one made with this prompt after we submitted."""
        client = ctx.providers.require_powerpost()
        prompt = ctx.resource.spec["captions"].get("prompt")
        since = seconds_of(ctx.previous.submitted_at if ctx.previous else None) - CLOCK_SKEW
        taken = set(ctx.extra.get("known_generation_ids", ()))
        answer = await client.list_generations(limit=100)
        for row in answer.get("data", []):
            if (
                row.get("prompt") == prompt
                and seconds_of(row.get("created_at")) >= since
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
        job = await _finished(
            ctx, lambda: client.get_image_generation(remote_id), f"image generation {remote_id}"
        )
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


class CreatePost(SyncStep):
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


async def _finished(
    ctx: StepContext, fetch: Callable[[], Awaitable[dict[str, Any]]], what: str
) -> dict[str, Any]:
    """Poll a generation job to its end; a failed one raises with the API's reason."""
    job = await poll(
        fetch,
        lambda j: j.get("status") in ("completed", "failed"),
        ctx.polling["powerpost"],
        provider="powerpost",
        what=what,
        sleep=ctx.sleep,
    )
    if job["status"] == "failed":
        raise job_failed("powerpost", what.rsplit(" ", 1)[0], job)
    return job

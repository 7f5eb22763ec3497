"""PowerPost image and video generation: paid jobs that cannot be listed."""

from __future__ import annotations

from typing import Any

from contentctl.apply.jobs import finished_job
from contentctl.apply.runners import UNKNOWN, Collected, Reconciled, StepContext, Submitted
from contentctl.errors import JobFailedError


class Images:
    job = True
    paid = True
    in_place = False

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        return UNKNOWN  # image generations cannot be listed

    async def submit(self, ctx: StepContext) -> Submitted:
        # The planned fields, as hashed: images.* with the schema's defaults.
        body: dict[str, Any] = {k.removeprefix("images."): v for k, v in ctx.spec.fields.items()}
        images = ctx.resource.spec["images"]
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
        job = await finished_job(
            ctx,
            "powerpost",
            lambda: client.get_image_generation(remote_id),
            f"image generation {remote_id}",
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


class Video:
    job = True
    paid = True
    in_place = False

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        return UNKNOWN  # video generations cannot be listed

    async def submit(self, ctx: StepContext) -> Submitted:
        # The planned fields, as hashed, with the schema's defaults; PowerPost calls audio
        # has_audio.
        body: dict[str, Any] = {
            ("has_audio" if k == "audio" else k): v for k, v in ctx.spec.fields.items()
        }
        spec = ctx.resource.spec
        if spec.get("source_image"):
            body["source_image"] = ctx.up(spec["source_image"], "upload").remote_id
        answer = await ctx.providers.require_powerpost().generate_video(body)
        return Submitted(str(answer["video_generation_id"]), answer.get("credits_used"))

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:
        client = ctx.providers.require_powerpost()
        job = await finished_job(
            ctx,
            "powerpost",
            lambda: client.get_video_generation(remote_id),
            f"video generation {remote_id}",
            # PowerPost's guidance for videos: up to 120 polls 10 s apart, twice as long.
            timeout_factor=2,
        )
        video = job.get("video") or {}
        if not video.get("media_id"):
            raise JobFailedError(
                f"video generation {remote_id} completed without a video", provider="powerpost"
            )
        keep = ("media_id", "url", "thumbnail_url", "width", "height", "duration")
        return Collected(
            {k: video[k] for k in keep if k in video}
            | {"urls_expire": "not documented; posts use the media_id"},
            job.get("credits_used"),
        )

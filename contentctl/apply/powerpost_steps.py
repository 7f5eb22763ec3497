"""PowerPost steps: media upload, captions, images, videos, carousel slides, the post
draft, publishing, calendar entries."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from contentctl.apply.runners import (
    ABSENT,
    CLOCK_SKEW,
    UNKNOWN,
    Collected,
    InPlace,
    Reconciled,
    StepContext,
    Submitted,
    SyncStep,
    job_failed,
    seconds_of,
)
from contentctl.captions import POST_TYPE_PLATFORM
from contentctl.errors import ApiError, ContentctlError, JobFailedError
from contentctl.providers import Providers
from contentctl.providers.polling import poll
from contentctl.validate.semantic import (
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    media_path,
    media_type,
    post_carousels,
)

# Pages of 100 generations read to reconcile an interrupted caption submission.
RECONCILE_PAGES = 50


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


class Captions:
    job = True
    paid = True
    in_place = False

    async def submit(self, ctx: StepContext) -> Submitted:
        # The planned fields, as hashed: post_types and captions.*.
        body: dict[str, Any] = {k.removeprefix("captions."): v for k, v in ctx.spec.fields.items()}
        captions = ctx.resource.spec["captions"]
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

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """Generations can be listed: adopt one made with this prompt after we submitted;
        none there proves the submission was never accepted."""
        client = ctx.providers.require_powerpost()
        prompt = ctx.resource.spec["captions"].get("prompt")
        since = seconds_of(ctx.previous.submitted_at if ctx.previous else None) - CLOCK_SKEW
        cursor = None
        for _page in range(RECONCILE_PAGES):  # the order of the list is not documented
            answer = await client.list_generations(limit=100, cursor=cursor)
            for row in answer.get("data", []):
                if (
                    row.get("prompt") == prompt
                    and seconds_of(row.get("created_at")) >= since
                    and row.get("generation_id") not in ctx.known_ids
                ):
                    return Reconciled(str(row["generation_id"]))
            cursor = answer.get("next_cursor")
            if not answer.get("has_more") or not cursor:
                return ABSENT  # every generation seen, and it is not among them
        return UNKNOWN  # too many to read them all: no proof either way


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
        job = await _finished(
            ctx,
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


def media_ids_of(ctx: StepContext, ref: str) -> list[str]:
    """PowerPost media ids of a Post's media reference (Media, Video or Carousel slides)."""
    kind = ref.partition("/")[0]
    if kind == "media":
        return [str(ctx.up(ref, "upload").remote_id)]
    if kind == "video":
        return [str(ctx.up(ref, "video").outputs["media_id"])]
    slides = ctx.own("slides")
    assert slides is not None
    upload = slides.outputs["uploads"][post_carousels(ctx.resource.spec).index(ref)]
    return [str(m) for m in upload["media_ids"]]


class CreatePost(SyncStep):
    paid = False

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
            media_ids.extend(media_ids_of(ctx, ref))
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
            if "media" in override:
                item["media_ids"] = [m for ref in override["media"] for m in media_ids_of(ctx, ref)]
            elif media_ids:
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
    job = True
    paid = True
    in_place = False

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
            durations=ctx.durations,
            kind=ctx.spec.name,
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

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """The post says whether the interrupted publish reached the API: a draft was not
        published (and publishing twice is refused anyway: 409 ALREADY_PUBLISHED)."""
        post_id = str(ctx.up(ctx.resource.address, "post").remote_id)
        post = await ctx.providers.require_powerpost().get_post(post_id)
        return ABSENT if post.get("status") == "draft" else Reconciled(post_id)


class CalendarEntry(InPlace):
    what = "calendar entry"
    deletable = True
    paid = False

    @staticmethod
    def body(ctx: StepContext) -> dict[str, Any]:
        spec = ctx.resource.spec
        keys = {
            "title": "title",
            "description": "description",
            "date": "scheduled_date",
            "time": "scheduled_time",
            "platforms": "platforms",
        }
        return {sent: spec[key] for key, sent in keys.items() if key in spec}

    @staticmethod
    def outputs_of(entry: Mapping[str, Any]) -> dict[str, Any]:
        keep = ("entry_id", "title", "scheduled_date", "scheduled_time", "status")
        return {k: entry[k] for k in keep if k in entry}

    async def create(self, ctx: StepContext) -> tuple[str, Mapping[str, Any]]:
        entry = await ctx.providers.require_powerpost().create_calendar_entry(self.body(ctx))
        entry_id = entry.get("entry_id") or entry.get("id")
        if not entry_id:
            raise ApiError("the new calendar entry came back without an id", provider="powerpost")
        return str(entry_id), self.outputs_of(entry)

    async def update(self, ctx: StepContext, remote_id: str) -> Mapping[str, Any]:
        body = self.body(ctx)
        # PATCH sets what it is sent: a field removed from the manifest is cleared.
        previous = ctx.previous.inputs if ctx.previous else {}
        for key, sent in (("description", "description"), ("time", "scheduled_time")):
            if key in previous and key not in ctx.resource.spec:
                body[sent] = None
        client = ctx.providers.require_powerpost()
        return self.outputs_of(await client.update_calendar_entry(remote_id, body))

    async def remove(self, providers: Providers, remote_id: str) -> None:
        await providers.require_powerpost().delete_calendar_entry(remote_id)

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """An interrupted creation is found among the entries of its day."""
        if ctx.previous and ctx.previous.remote_id:
            return Reconciled(ctx.previous.remote_id)  # an interrupted update: send it again
        body = self.body(ctx)
        day = str(body["scheduled_date"])
        client = ctx.providers.require_powerpost()
        for entry in await client.calendar_entries(day, day):
            entry_id = str(entry.get("entry_id") or entry.get("id") or "")
            if (
                entry_id
                and entry_id not in ctx.known_ids
                and entry.get("title") == body["title"]
                and entry.get("scheduled_date") == day
            ):
                return Reconciled(entry_id)
        return ABSENT


async def _finished(
    ctx: StepContext,
    fetch: Callable[[], Awaitable[dict[str, Any]]],
    what: str,
    timeout_factor: float = 1,
) -> dict[str, Any]:
    """Poll a generation job to its end; a failed one raises with the API's reason."""
    polling = ctx.polling["powerpost"]
    job = await poll(
        fetch,
        lambda j: j.get("status") in ("completed", "failed"),
        replace(polling, timeout=polling.timeout * timeout_factor),
        provider="powerpost",
        what=what,
        sleep=ctx.sleep,
        durations=ctx.durations,
        kind=ctx.spec.name,
    )
    if job["status"] == "failed":
        raise job_failed("powerpost", what.rsplit(" ", 1)[0], job)
    return job

"""The PowerPost post: its draft with captions and media per platform, then publishing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contentctl.apply.jobs import poll_job
from contentctl.apply.runners import ABSENT, Collected, Reconciled, StepContext, Submitted
from contentctl.apply.sync_steps import SyncStep
from contentctl.captions import POST_TYPE_PLATFORM
from contentctl.errors import ApiError, JobFailedError
from contentctl.validate.semantic import post_carousels


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
        post = await poll_job(
            ctx,
            "powerpost",
            lambda: client.get_post(remote_id),
            lambda p: p.get("status") in ("published", "failed"),
            f"publishing {remote_id}",
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

"""PostNitro scheduled posts: the body sent for one, and its runner."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from contentctl.apply.jobs import seconds_of
from contentctl.apply.runners import ABSENT, Reconciled, StepContext
from contentctl.apply.sync_steps import InPlace
from contentctl.errors import ContentctlError
from contentctl.providers import Providers
from contentctl.validate.schema_files import load_schema

SETTINGS_KEYS = {
    "linkedin": {"post_type": "postType", "title": "postTitle"},
    "instagram": {"post_type": "postType", "story": "postAsStory"},
    "tiktok": {
        "post_type": "postType",
        "privacy": "privacyLevel",
        "allow_comments": "canComment",
        "allow_duet": "canDuet",
        "allow_stitch": "canStitch",
        "auto_add_music": "autoAddMusic",
        "title": "postTitle",
        "branded_content": "isBrandedContent",
        "your_brand": "isYourBrand",
        "third_party_brand": "isThirdPartyBrand",
        "ai_generated": "isAIGeneratedContent",
    },
    "threads": {"post_type": "postType"},
}


@functools.cache
def settings_defaults(platform: str) -> dict[str, Any]:
    """The defaults schedule.schema.json documents for a platform's settings, sent whenever
    the manifest leaves them out: the API requires some of them. Instagram's ``postAsStory``
    and TikTok's disclosure booleans are required (postnitro/postnitro-agent
    src/lib/types.ts:271-288); the others say what contentctl documents it sends."""
    spec = load_schema("schedule.schema.json")["properties"]["spec"]["properties"]
    properties: Mapping[str, Any] = spec[platform].get("properties", {})
    return {k: v["default"] for k, v in properties.items() if "default" in v}


def schedule_body(
    fields: Mapping[str, Any], design_id: str | None, account_ids: Sequence[str]
) -> dict[str, Any]:
    """The create/update body of a scheduled post from its planned fields."""
    body: dict[str, Any] = {
        "status": fields["status"],
        "scheduledAt": fields["at"],
        "designId": design_id,
    }
    if fields["captions"]:
        body["postContent"] = dict(fields["captions"])
    body["selectedAccounts"] = list(account_ids)
    for platform, names in SETTINGS_KEYS.items():
        if platform in fields:
            given = {**settings_defaults(platform), **fields[platform]}
            body[f"{platform}PostSettings"] = {names[k]: v for k, v in given.items()}
    reel = fields.get("reel")
    if reel:
        body["postSettings"] = {
            "videoDuration": reel["video_duration"],
            **({"audioId": reel["audio_id"]} if "audio_id" in reel else {}),
        }
    return body


class Schedule(InPlace):
    """A scheduled post: POST once, PUT (which replaces captions and accounts) after.

    Creation is recorded before it is sent, and an interrupted one is found again by listing
    the posts scheduled at that time: a duplicate would publish twice.
    """

    what = "scheduled post"
    deletable = True
    paid = False  # but a duplicate publishes twice: reconcile() always gives an answer

    @staticmethod
    def body(ctx: StepContext) -> dict[str, Any]:
        carousel = ctx.resource.spec.get("carousel")
        design = None
        if carousel:
            design = ctx.up(carousel, "render").outputs.get("design_id")
            if not design:
                raise ContentctlError(
                    f"{carousel} has no PostNitro design id to schedule",
                    hint=f"render it again: apply --replace {carousel}",
                )
        accounts = ctx.own("accounts")
        ids = list(accounts.outputs["account_ids"]) if accounts else []
        return schedule_body(ctx.spec.fields, design, ids)

    @staticmethod
    def outputs_of(post: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": post.get("id"),
            "status": post.get("status"),
            "scheduled_for": post.get("scheduledFor"),
            "design_id": post.get("designId"),
            "accounts": [
                {"id": a.get("socialAccountId"), "status": a.get("status")}
                for a in post.get("socialAccounts") or []
            ],
        }

    async def create(self, ctx: StepContext) -> tuple[str, Mapping[str, Any]]:
        post = await ctx.providers.require_postnitro().create_schedule(self.body(ctx))
        return str(post["id"]), self.outputs_of(post)

    async def update(self, ctx: StepContext, remote_id: str) -> Mapping[str, Any]:
        client = ctx.providers.require_postnitro()
        return self.outputs_of(await client.update_schedule(remote_id, self.body(ctx)))

    async def remove(self, providers: Providers, remote_id: str) -> None:
        await providers.require_postnitro().delete_schedule(remote_id)

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """The post an interrupted creation made: same time and design, not tracked yet."""
        if ctx.previous and ctx.previous.remote_id:
            return Reconciled(ctx.previous.remote_id)  # an interrupted update: send it again
        body = self.body(ctx)
        at = seconds_of(body["scheduledAt"])
        window = (
            datetime.fromtimestamp(at - 60, timezone.utc),
            datetime.fromtimestamp(at + 60, timezone.utc),
        )
        client = ctx.providers.require_postnitro()
        rows = await client.schedules(*(w.strftime("%Y-%m-%dT%H:%M:%SZ") for w in window))
        for row in rows:
            if (
                row.get("id") not in ctx.known_ids
                and row.get("designId") == body["designId"]
                and seconds_of(row.get("scheduledFor")) == at
            ):
                return Reconciled(str(row["id"]))
        return ABSENT

"""PowerPost caption generation: a paid job, and the one PowerPost can list, so an
interrupted submission is found again (or proven never accepted)."""

from __future__ import annotations

from typing import Any

from contentctl.apply.jobs import CLOCK_SKEW, finished_job, seconds_of
from contentctl.apply.runners import ABSENT, UNKNOWN, Collected, Reconciled, StepContext, Submitted

# Pages of 100 generations read to reconcile an interrupted caption submission.
RECONCILE_PAGES = 50


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
        job = await finished_job(
            ctx,
            "powerpost",
            lambda: client.get_generation(remote_id),
            f"caption generation {remote_id}",
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

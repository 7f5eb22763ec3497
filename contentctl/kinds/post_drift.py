"""A Post's drift: what PowerPost says of the post and of the drafts updates left behind
that the lockfile does not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from contentctl.errors import ApiError

if TYPE_CHECKING:
    from contentctl.lockfile.records import ResourceRecord, StepRecord
    from contentctl.providers import Providers


async def drift(address: str, record: ResourceRecord, providers: Providers) -> AsyncIterator[str]:
    post = record.steps.get("post")
    if post and post.status == "completed" and post.remote_id:
        async for found in _post_drift(post.remote_id, record.steps.get("publish"), providers):
            yield found
    async for found in _left_behind(record, providers):
        yield found


async def _post_drift(
    post_id: str, published: StepRecord | None, providers: Providers
) -> AsyncIterator[str]:
    try:
        remote = await providers.require_powerpost().get_post(post_id)
    except ApiError as exc:
        if exc.status == 404:
            yield f"post {post_id} no longer exists in PowerPost"
            return
        raise
    status = remote.get("status")
    items = remote.get("items", [])
    was_published = published is not None and published.status == "completed"
    if was_published and status == "failed":
        states = ", ".join(f"{i.get('post_type')} {i.get('status')}" for i in items)
        yield f"publishing failed remotely: {states}"
    elif not was_published and status in ("publishing", "published"):
        yield f"post {post_id} was published outside contentctl"
    failed = [i.get("post_type") for i in items if i.get("status") == "failed"]
    if failed and status != "failed":
        yield f"items failed to post: {', '.join(map(str, failed))}"


async def _left_behind(record: ResourceRecord, providers: Providers) -> AsyncIterator[str]:
    """Drafts an update replaced, still in PowerPost (which has no API to delete them)."""
    for orphan in record.orphans:
        kept = orphan.get("record") or {}
        post_id = kept.get("remote_id")
        if orphan.get("step") != "post" or not post_id:
            continue
        try:
            remote = await providers.require_powerpost().get_post(str(post_id))
        except ApiError as exc:
            if exc.status == 404:
                continue  # deleted in PowerPost since
            raise
        yield (
            f"{remote.get('status') or 'draft'} post {post_id}, replaced by an update, is "
            "still in PowerPost: delete it there (`contentctl state orphans` lists them)"
        )

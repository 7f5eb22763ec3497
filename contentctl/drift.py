"""Drift: read-only comparison of the lockfile with what the APIs say now.

Kept apart from plans on purpose: a plan is about the manifests, drift about the remote.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from contentctl.errors import ApiError
from contentctl.lockfile import Lockfile, ResourceRecord
from contentctl.providers import Providers


@dataclass(frozen=True)
class Drift:
    address: str
    message: str


async def detect(lock: Lockfile, providers: Providers) -> list[Drift]:
    found: list[Drift] = []
    for address, record in sorted(lock.resources.items()):
        async for drift in _resource(address, record, providers):
            found.append(drift)
    return found


async def _resource(
    address: str, record: ResourceRecord, providers: Providers
) -> AsyncIterator[Drift]:
    for name, step in record.steps.items():
        if step.status == "pending" and step.remote_id:
            yield Drift(
                address,
                f"{name}: job {step.remote_id} was submitted and not collected; apply collects it",
            )
    post = record.steps.get("post")
    if record.kind == "Post" and post and post.status == "completed" and post.remote_id:
        try:
            remote = await providers.require_powerpost().get_post(post.remote_id)
        except ApiError as exc:
            if exc.status == 404:
                yield Drift(address, f"post {post.remote_id} no longer exists in PowerPost")
                return
            raise
        published = record.steps.get("publish")
        status = remote.get("status")
        if published and published.status == "completed" and status == "failed":
            yield Drift(
                address,
                "publishing failed remotely: "
                + ", ".join(
                    f"{i.get('post_type')} {i.get('status')}" for i in remote.get("items", [])
                ),
            )
        elif (published is None or published.status != "completed") and status in (
            "publishing",
            "published",
        ):
            yield Drift(address, f"post {post.remote_id} was published outside contentctl")
        failed = [
            i.get("post_type") for i in remote.get("items", []) if i.get("status") == "failed"
        ]
        if failed and status != "failed":
            yield Drift(address, f"items failed to post: {', '.join(map(str, failed))}")
    render = record.steps.get("render")
    if record.kind == "Carousel" and render and render.status == "completed" and render.remote_id:
        try:
            await providers.require_postnitro().status(render.remote_id)
        except ApiError as exc:
            if exc.status == 404:
                yield Drift(address, f"carousel {render.remote_id} no longer exists in PostNitro")
                return
            raise

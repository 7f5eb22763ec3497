"""Drift: read-only comparison of the lockfile with what the APIs say now.

Kept apart from plans on purpose: a plan is about the manifests, drift about the remote.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contentctl.apply.runners import seconds_of
from contentctl.errors import ApiError
from contentctl.kinds import KINDS
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
        async for drift in _left_behind(address, record, providers):
            found.append(drift)
    return found


async def _left_behind(
    address: str, record: ResourceRecord, providers: Providers
) -> AsyncIterator[Drift]:
    """Drafts an update replaced, still in PowerPost (which has no API to delete them)."""
    if record.kind != "Post":
        return
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
        yield Drift(
            address,
            f"{remote.get('status') or 'draft'} post {post_id}, replaced by an update, is "
            "still in PowerPost: delete it there (`contentctl state orphans` lists them)",
        )


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
    async for drift in _in_place(address, record, providers):
        yield drift


async def _in_place(
    address: str, record: ResourceRecord, providers: Providers
) -> AsyncIterator[Drift]:
    """Objects updated in place: compare what the API holds with what was last sent."""
    kind = KINDS.get(record.kind)
    step = record.steps.get(kind.owning_step) if kind else None
    if step is None or step.status != "completed" or not step.remote_id:
        return
    try:
        if record.kind == "Schedule":
            remote = await providers.require_postnitro().schedule(step.remote_id)
            for found in _schedule_drift(step.inputs, step.outputs, remote):
                yield Drift(address, found)
        elif record.kind == "Brand":
            remote = await providers.require_postnitro().brand(step.remote_id)
            for field in ("name", "handle", "image"):
                if field in step.inputs and remote.get(field) != step.inputs[field]:
                    yield Drift(
                        address,
                        f"{field} is {remote.get(field)!r} in PostNitro, "
                        f"{step.inputs[field]!r} as applied; apply --replace {address} "
                        "sends the manifest's again",
                    )
        elif record.kind == "CalendarEntry":
            remote = await providers.require_powerpost().calendar_entry(step.remote_id)
            sent = {"title": "title", "date": "scheduled_date", "time": "scheduled_time"}
            for field, name in sent.items():
                if field in step.inputs and remote.get(name) != step.inputs[field]:
                    yield Drift(
                        address,
                        f"{name} is {remote.get(name)!r} in PowerPost, "
                        f"{step.inputs[field]!r} as applied",
                    )
    except ApiError as exc:
        if exc.status == 404:
            yield Drift(
                address,
                f"{step.remote_id} no longer exists in {exc.provider}; "
                f"apply --replace {address} creates it again",
            )
            return
        raise


def _schedule_drift(
    inputs: Mapping[str, Any], outputs: Mapping[str, Any], remote: Mapping[str, Any]
) -> Iterator[str]:
    if remote.get("status") != inputs.get("status"):
        yield f"status is {remote.get('status')} in PostNitro, {inputs.get('status')} as applied"
    if seconds_of(remote.get("scheduledFor")) != seconds_of(inputs.get("at")):
        yield f"scheduled for {remote.get('scheduledFor')}, {inputs.get('at')} as applied"
    captions = {c.get("platform"): c.get("text") for c in remote.get("postContents") or []}
    if captions != dict(inputs.get("captions") or {}):
        yield "captions were edited in PostNitro"
    if remote.get("designId") != outputs.get("design_id"):
        yield f"design is {remote.get('designId')}, {outputs.get('design_id')} as applied"
    for account in remote.get("socialAccounts") or []:
        if account.get("errorMessage"):
            yield f"account {account.get('socialAccountId')}: {account['errorMessage']}"

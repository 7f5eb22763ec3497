"""``contentctl import``: adopt a remote object as a resource, paying for nothing.

The step that owns the remote object is recorded from what the API says of it; the steps
before it are recorded as imported with the manifest's inputs (so the next plan only
shows real changes); steps after it are left for apply (a download, a publish not done).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from contentctl.apply.attempt import now_iso
from contentctl.apply.runners import StepContext, seconds_of
from contentctl.config import Project
from contentctl.errors import ApiError, ContentctlError
from contentctl.graph import Graph
from contentctl.kinds import KINDS, steps_for
from contentctl.lockfile import LockfileWriter, StepRecord
from contentctl.model import Resource
from contentctl.plan.steps import IMPORTED_HASH, StepSpec, input_hash
from contentctl.providers import Providers
from contentctl.providers.postnitro import design_id, output_files

RAW = "__remote__"  # the object as the API sent it, beside the outputs _remote() makes of it


async def _remote(resource: Resource, remote_id: str, providers: Providers) -> dict[str, Any]:
    """What the API says of the object, as its owning step's outputs; raises if it does not
    exist. Objects updated in place come back whole, under ``RAW``, to compare with the
    manifest."""
    try:
        if resource.kind == "Post":
            post = await providers.require_powerpost().get_post(remote_id)
            items = [
                {
                    k: i.get(k)
                    for k in ("item_id", "post_type", "platform", "status")
                    if i.get(k) is not None
                }
                for i in post.get("items", [])
            ]
            return {"post_id": post["post_id"], "status": post.get("status"), "items": items}
        if resource.kind == "Carousel":
            pn = providers.require_postnitro()
            status = await pn.status(remote_id)
            if status["embedPost"]["status"] != "COMPLETED":
                raise ContentctlError(
                    f"{remote_id} is {status['embedPost']['status']}, not COMPLETED",
                    hint="import it once it has finished",
                )
            result = (await pn.output(remote_id)).get("result") or {}
            return {
                "design_id": design_id(result),
                "editor_url": result.get("editorUrl"),
                "name": result.get("name"),
                "type": result.get("type"),
                "files": output_files(result),
            }
        if resource.kind == "Brand":
            brand = await providers.require_postnitro().brand(remote_id)
            return {**{k: brand[k] for k in ("id", "name", "handle") if k in brand}, RAW: brand}
        if resource.kind == "Schedule":
            from contentctl.apply.postnitro_schedule import Schedule

            scheduled = await providers.require_postnitro().schedule(remote_id)
            return {**Schedule.outputs_of(scheduled), RAW: scheduled}
        if resource.kind == "CalendarEntry":
            from contentctl.apply.powerpost_steps import CalendarEntry

            entry = await providers.require_powerpost().calendar_entry(remote_id)
            return {**CalendarEntry.outputs_of(entry), RAW: entry}
        if resource.kind == "Video":
            job = await providers.require_powerpost().get_video_generation(remote_id)
            if job.get("status") != "completed" or not (job.get("video") or {}).get("media_id"):
                raise ContentctlError(
                    f"{remote_id} is {job.get('status')}, not a completed video",
                    hint="import it once it has finished",
                )
            return dict(job["video"])
    except ApiError as exc:
        if exc.status == 404:
            raise ContentctlError(f"{remote_id} does not exist in {exc.provider}") from None
        raise
    return {"media_id": remote_id}  # PowerPost cannot read media back: trust the id


async def adopt(
    project: Project,
    graph: Graph,
    resource: Resource,
    remote_id: str,
    providers: Providers,
    writer: LockfileWriter,
) -> list[str]:
    """Record the remote object as ``resource``; returns where it differs from the manifest
    (an object updated in place: the next apply sends the manifest to it once)."""
    remote = await _remote(resource, remote_id, providers)
    owning = KINDS[resource.kind].owning_step
    steps = steps_for(resource, project.root)
    owner = next(s for s in steps if s.name == owning)
    if owner.in_place:
        return await _adopt_in_place(project, resource, steps, remote_id, remote, providers, writer)
    seen_owner = False
    for spec in steps:
        upstream = {}
        for up in spec.upstream:
            found = writer.current.step(up.address, up.step)
            if found is None or found.status != "completed":
                raise ContentctlError(
                    f"{resource.address} uses {up.address}, which is not in the lockfile",
                    hint=f"apply or import {up.address} first",
                )
            upstream[up.key] = found
        base = StepRecord(
            input_hash=input_hash(spec, upstream),
            status="completed",
            inputs=dict(spec.fields),
            completed_at=now_iso(),
        )
        if spec.name == owning:
            record = StepRecord(
                **{**base.__dict__, "remote_id": remote_id, "outputs": remote, "credits_used": 0}
            )
            seen_owner = True
        elif not seen_owner:
            record = StepRecord(**{**base.__dict__, "outputs": {"imported": True}})
        elif spec.name == "publish" and remote.get("status") == "published":
            record = StepRecord(
                **{
                    **base.__dict__,
                    "remote_id": remote_id,
                    "outputs": {"status": "published", "imported": True},
                }
            )
        else:
            continue
        writer.record_step(
            resource.address,
            resource.kind,
            KINDS[resource.kind].provider,
            {"file": resource.source_file},
            spec.name,
            record,
        )
    return []


async def _adopt_in_place(
    project: Project,
    resource: Resource,
    chain: tuple[StepSpec, ...],
    remote_id: str,
    remote: dict[str, Any],
    providers: Providers,
    writer: LockfileWriter,
) -> list[str]:
    """The object and the free lookups before it (a schedule's accounts) are recorded. When
    the object holds what the manifest says, the next plan is empty; otherwise it records
    a hash nothing matches, and the next apply sends the manifest to it once (a free PUT or
    PATCH), so both sides agree."""
    raw = remote.pop(RAW)
    records: dict[str, StepRecord] = {}
    differences: list[str] = []
    owner = next(s for s in chain if s.name == KINDS[resource.kind].owning_step)
    for spec in chain:
        upstream: dict[str, StepRecord] = {}
        for up in spec.upstream:
            found = records.get(up.step) if up.address == resource.address else None
            found = found or writer.current.step(up.address, up.step)
            if found is None or found.status != "completed":
                raise ContentctlError(
                    f"{resource.address} uses {up.address}, which is not in the lockfile",
                    hint=f"apply or import {up.address} first",
                )
            upstream[up.key] = found
        runner = KINDS[resource.kind].runner(spec.name)
        ctx = StepContext(
            project,
            resource,
            spec,
            upstream,
            providers,
            request_ref="contentctl:import",
            polling={},
            sleep=asyncio.sleep,
            lockfile=writer.current,
        )
        base = StepRecord(
            input_hash=input_hash(spec, upstream),
            status="completed",
            inputs=dict(spec.fields),
            credits_used=0,
            completed_at=now_iso(),
        )
        if spec is not owner:
            # Free lookups only (they read; they create nothing): as apply would record them.
            assert not runner.paid and not runner.in_place, spec.name
            looked_up = await runner.submit(ctx)
            records[spec.name] = replace(base, outputs=dict(looked_up.outputs or {}))
            continue
        differences = differs(resource.kind, _body_of(runner, ctx), raw)
        records[spec.name] = replace(
            base,
            input_hash=IMPORTED_HASH if differences else base.input_hash,
            remote_id=remote_id,
            outputs=remote,
        )
    for name, record in records.items():
        writer.record_step(
            resource.address,
            resource.kind,
            KINDS[resource.kind].provider,
            {"file": resource.source_file},
            name,
            record,
        )
    return differences


def _body_of(runner: object, ctx: StepContext) -> dict[str, Any]:
    body = getattr(runner, "_body", None)
    return dict(body(ctx)) if callable(body) else {}


def differs(kind: str, body: Mapping[str, Any], remote: Mapping[str, Any]) -> list[str]:
    """Where an object as the API holds it differs from what the manifest would send it, in
    the manifest's words."""
    if kind == "Schedule":
        captions = {c.get("platform"): c.get("text") for c in remote.get("postContents") or []}
        found = {
            "status": remote.get("status") != body.get("status"),
            "at": seconds_of(remote.get("scheduledFor")) != seconds_of(body.get("scheduledAt")),
            "carousel": remote.get("designId") != body.get("designId"),
            "captions": captions != dict(body.get("postContent") or {}),
            "accounts": sorted(
                str(a.get("socialAccountId")) for a in remote.get("socialAccounts") or []
            )
            != sorted(str(a) for a in body.get("selectedAccounts") or []),
        }
        for key in SCHEDULE_SETTINGS:
            name = key.removesuffix("PostSettings") if key != "postSettings" else "reel"
            found[name] = (remote.get(key) or None) != (body.get(key) or None)
        return [name for name, different in found.items() if different]
    names = {"Brand": BRAND_FIELDS, "CalendarEntry": ENTRY_FIELDS}.get(kind, {})
    return [name for sent, name in names.items() if remote.get(sent) != body.get(sent)]


SCHEDULE_SETTINGS = (
    "linkedinPostSettings",
    "instagramPostSettings",
    "tiktokPostSettings",
    "threadsPostSettings",
    "postSettings",
)
BRAND_FIELDS = {
    "name": "name",
    "handle": "handle",
    "image": "image",
    "isCompanyDetail": "company_detail",
    "showName": "show_name",
    "showHandle": "show_handle",
    "showImage": "show_image",
}
ENTRY_FIELDS = {
    "title": "title",
    "description": "description",
    "scheduled_date": "date",
    "scheduled_time": "time",
    "platforms": "platforms",
}

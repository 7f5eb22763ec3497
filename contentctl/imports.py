"""``contentctl import``: adopt a remote object as a resource, paying for nothing.

The step that owns the remote object is recorded from what the API says of it; the steps
before it are recorded as imported with the manifest's inputs (so the next plan only
shows real changes); steps after it are left for apply (a download, a publish not done).
"""

from __future__ import annotations

from typing import Any

from contentctl.apply.attempt import now_iso
from contentctl.config import Project
from contentctl.errors import ApiError, ContentctlError
from contentctl.graph import Graph
from contentctl.lockfile import LockfileWriter, StepRecord
from contentctl.model import Resource
from contentctl.plan.steps import (
    IMPORTED_HASH,
    OWNING_STEP,
    PROVIDER_OF_KIND,
    StepSpec,
    input_hash,
    steps_for,
)
from contentctl.providers import Providers
from contentctl.providers.postnitro import design_id, output_files


async def _remote(resource: Resource, remote_id: str, providers: Providers) -> dict[str, Any]:
    """What the API says of the object; raises if it does not exist."""
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
            return {k: brand[k] for k in ("id", "name", "handle") if k in brand}
        if resource.kind == "Schedule":
            from contentctl.apply.postnitro_schedule import Schedule

            return Schedule.outputs_of(await providers.require_postnitro().schedule(remote_id))
        if resource.kind == "CalendarEntry":
            from contentctl.apply.powerpost_steps import CalendarEntry

            entry = await providers.require_powerpost().calendar_entry(remote_id)
            return CalendarEntry.outputs_of(entry)
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
) -> None:
    remote = await _remote(resource, remote_id, providers)
    owning = OWNING_STEP[resource.kind]
    steps = steps_for(resource, project.root)
    owner = next(s for s in steps if s.name == owning)
    if owner.in_place:
        _adopt_in_place(resource, owner, remote_id, remote, writer)
        return
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
            PROVIDER_OF_KIND[resource.kind],
            {"file": resource.source_file},
            spec.name,
            record,
        )


def _adopt_in_place(
    resource: Resource,
    owner: StepSpec,
    remote_id: str,
    remote: dict[str, Any],
    writer: LockfileWriter,
) -> None:
    """Only the object is recorded; its free lookups run on the next apply, then one update."""
    for up in owner.upstream:
        if up.address == resource.address:
            continue
        found = writer.current.step(up.address, up.step)
        if found is None or found.status != "completed":
            raise ContentctlError(
                f"{resource.address} uses {up.address}, which is not in the lockfile",
                hint=f"apply or import {up.address} first",
            )
    writer.record_step(
        resource.address,
        resource.kind,
        PROVIDER_OF_KIND[resource.kind],
        {"file": resource.source_file},
        owner.name,
        StepRecord(
            # A hash nothing matches: the next apply sends the manifest to the object once
            # (a free PUT or PATCH), so both sides agree.
            input_hash=IMPORTED_HASH,
            status="completed",
            inputs=dict(owner.fields),
            remote_id=remote_id,
            outputs=remote,
            credits_used=0,
            completed_at=now_iso(),
        ),
    )

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

from contentctl.apply.runners import StepContext
from contentctl.apply.step_record import now_iso
from contentctl.apply.sync_steps import InPlace
from contentctl.config import Project
from contentctl.errors import ApiError, ContentctlError
from contentctl.graph import Graph
from contentctl.kinds import KINDS, steps_for
from contentctl.kinds.kind import RAW
from contentctl.lockfile.records import StepRecord
from contentctl.lockfile.writer import LockfileWriter
from contentctl.model import Resource
from contentctl.plan.steps import IMPORTED_HASH, StepSpec, input_hash
from contentctl.providers import Providers


async def _remote(resource: Resource, remote_id: str, providers: Providers) -> dict[str, Any]:
    """What the API says of the object, as its owning step's outputs; raises if it does not
    exist. Objects updated in place come back whole, under ``RAW``, to compare with the
    manifest."""
    try:
        return await KINDS[resource.kind].read(providers, remote_id)
    except ApiError as exc:
        if exc.status == 404:
            raise ContentctlError(f"{remote_id} does not exist in {exc.provider}") from None
        raise


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
        upstream = _upstream(resource, spec, {}, writer)
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
    kind = KINDS[resource.kind]
    raw = remote.pop(RAW)
    records: dict[str, StepRecord] = {}
    differences: list[str] = []
    for spec in chain:
        upstream = _upstream(resource, spec, records, writer)
        runner = kind.runner(spec.name)
        ctx = StepContext(
            project, resource, spec, upstream, providers, request_ref="contentctl:import",
            polling={}, sleep=asyncio.sleep, lockfile=writer.current,
        )  # fmt: skip
        base = StepRecord(
            input_hash=input_hash(spec, upstream),
            status="completed",
            inputs=dict(spec.fields),
            credits_used=0,
            completed_at=now_iso(),
        )
        if spec.name != kind.owning_step:
            # Free lookups only (they read; they create nothing): as apply would record them.
            assert not runner.paid and not runner.in_place, spec.name
            looked_up = await runner.submit(ctx)
            records[spec.name] = replace(base, outputs=dict(looked_up.outputs or {}))
            continue
        assert isinstance(runner, InPlace) and kind.differs is not None, resource.kind
        differences = kind.differs(runner.body(ctx), raw)
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
            kind.provider,
            {"file": resource.source_file},
            name,
            record,
        )
    return differences


def _upstream(
    resource: Resource,
    spec: StepSpec,
    records: Mapping[str, StepRecord],
    writer: LockfileWriter,
) -> dict[str, StepRecord]:
    """The results ``spec`` consumes: recorded just now for this resource, or earlier."""
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
    return upstream

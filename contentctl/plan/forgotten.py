"""Resources whose manifests are gone: deleted where the API can, else forgotten (the remote
object stays); and downloaded files missing from a fresh clone, which are no change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from contentctl.config import Project
from contentctl.graph import Graph
from contentctl.kinds import KINDS
from contentctl.lockfile.records import Lockfile
from contentctl.plan import select
from contentctl.plan.changes import PlanOptions, ResourceChange
from contentctl.plan.lock_digest import Records
from contentctl.plan.refusals import REMOVED


def forgotten(
    project: Project, graph: Graph, lock: Lockfile, options: PlanOptions
) -> list[ResourceChange]:
    out = []
    for address in sorted(lock.resources):
        if address in graph.resources:
            continue
        record = lock.resources[address]
        # The lockfile keeps no labels: a record whose manifest is gone matches by address.
        if options.select and not select.selected(address, {}, options.select):
            continue
        if select.excluded(address, {}, options.exclude):
            continue
        if options.limit_to is not None and address not in options.limit_to:
            continue
        intended = address in project.removed
        published = record.steps.get("publish")
        blocked = None
        kind = KINDS.get(record.kind)
        owner = record.steps.get(kind.deleted_through or "") if kind else None
        if owner is not None and owner.remote_id and not intended:
            out.append(
                ResourceChange(
                    address,
                    record.kind,
                    "delete",
                    source_file=record.source.get("file"),
                    blocked="lifecycle.prevent_destroy is set; to stop tracking it and keep "
                    "it remotely, add it to spec.removed in contentctl.yaml"
                    if record.prevent_destroy
                    else None,
                    unblock=REMOVED if record.prevent_destroy else None,
                )
            )
            continue
        if published and published.status == "completed" and not intended:
            blocked = (
                "this post is published and contentctl can neither unpublish nor delete "
                "it; to stop tracking it, add it to spec.removed in contentctl.yaml"
            )
        elif record.prevent_destroy and not intended:
            blocked = (
                "lifecycle.prevent_destroy is set; to stop tracking it, add it to "
                "spec.removed in contentctl.yaml"
            )
        out.append(
            ResourceChange(
                address,
                record.kind,
                "forget",
                source_file=record.source.get("file"),
                blocked=blocked,
                unblock=REMOVED if blocked else None,
                warning=None
                if intended
                else "the remote object stays; contentctl stops tracking it",
            )
        )
    return out


def missing_artifacts(project: Project, lock: Lockfile) -> tuple[str, ...]:
    """Resources whose downloaded files are not in out/ (a fresh clone): local copies, not
    remote state, so not a change; `contentctl pull` fetches them."""
    return tuple(
        address
        for address in sorted(lock.resources)
        if not all((project.root / Path(p)).is_file() for p in _downloaded(lock, address))
    )


def _downloaded(lock: Lockfile, address: str) -> Iterator[str]:
    """The files a completed download step of the record lists."""
    resources = lock.resources
    if isinstance(resources, Records) and (known := resources.downloaded(address)) is not None:
        yield from known  # from the digest, without reading the record
        return
    download = resources[address].steps.get("download")
    if download is not None and download.status == "completed":
        yield from (f["path"] for f in download.outputs.get("files", []) if isinstance(f, dict))

"""Resources whose manifests are gone: deleted where the API can, else forgotten (the remote
object stays); and downloaded files missing from a fresh clone, which are no change."""

from __future__ import annotations

from pathlib import Path

from contentctl.config import Project
from contentctl.graph import Graph
from contentctl.kinds import KINDS
from contentctl.lockfile.records import Lockfile
from contentctl.plan import select
from contentctl.plan.changes import PlanOptions, ResourceChange
from contentctl.plan.refusals import REMOVED


def forgotten(
    project: Project, graph: Graph, lock: Lockfile, options: PlanOptions
) -> list[ResourceChange]:
    out = []
    for address, record in sorted(lock.resources.items()):
        if address in graph.resources:
            continue
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
        for address, record in sorted(lock.resources.items())
        if (download := record.steps.get("download")) is not None
        and download.status == "completed"
        and not all(
            (project.root / Path(f["path"])).is_file()
            for f in download.outputs.get("files", [])
            if isinstance(f, dict)
        )
    )

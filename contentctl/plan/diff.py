"""Compare the manifests with the lockfile: which steps run, why, and for how many credits.

Planning compares hashes only; it makes no API call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from contentctl.config import Project
from contentctl.graph import Graph
from contentctl.lockfile import Lockfile, StepRecord
from contentctl.plan.cost import estimate
from contentctl.plan.steps import PROVIDER_OF_KIND, field_digests, input_hash, steps_for

StepAction = Literal["run", "resume", "keep"]
ResourceAction = Literal["create", "update", "no-op", "forget"]


@dataclass(frozen=True)
class StepChange:
    name: str
    action: StepAction
    reason: str
    credits: float
    paid: bool
    input_hash: str | None  # None while it depends on a result known only after apply


@dataclass(frozen=True)
class ResourceChange:
    address: str
    kind: str
    action: ResourceAction
    steps: tuple[StepChange, ...] = ()
    source_file: str | None = None
    blocked: str | None = None  # why apply must refuse this change

    @property
    def credits(self) -> float:
        return sum(s.credits for s in self.steps if s.action == "run")

    @property
    def running(self) -> tuple[StepChange, ...]:
        return tuple(s for s in self.steps if s.action != "keep")


@dataclass(frozen=True)
class Plan:
    changes: tuple[ResourceChange, ...]  # in dependency order; forgotten resources last
    lineage: str
    serial: int

    @property
    def has_changes(self) -> bool:
        return any(c.action != "no-op" for c in self.changes)

    @property
    def credits(self) -> float:
        return sum(c.credits for c in self.changes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for change in self.changes:
            out[change.action] = out.get(change.action, 0) + 1
        return out

    @property
    def blocked(self) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self.changes if c.blocked)


def make_plan(
    project: Project, graph: Graph, lock: Lockfile, *, allow_republish: bool = False
) -> Plan:
    runs: dict[str, bool] = {}  # "address#step" -> will run (or resume) in this apply
    changes: list[ResourceChange] = []
    for address in graph.order:
        resource = graph.resources[address]
        record = lock.resources.get(address)
        step_changes: list[StepChange] = []
        for spec in steps_for(resource, project.root):
            key = f"{address}#{spec.name}"
            previous = lock.step(address, spec.name)
            upstream: dict[str, StepRecord] = {}
            waiting_on = None
            for up in spec.upstream:
                found = lock.step(up.address, up.step)
                if runs.get(up.key) or found is None or found.status != "completed":
                    waiting_on = waiting_on or up
                else:
                    upstream[up.key] = found
            new_hash = None if waiting_on else input_hash(spec, upstream)
            action, reason = _decide(
                project,
                previous,
                new_hash,
                field_digests(spec),
                waiting_on.key.replace("#", " ") if waiting_on else None,
                spec.name,
            )
            runs[key] = action != "keep"
            step_changes.append(
                StepChange(
                    spec.name,
                    action,
                    reason,
                    estimate(spec, resource, project.prices) if action == "run" else 0,
                    spec.paid,
                    new_hash,
                )
            )
        if record is None:
            resource_action: ResourceAction = "create"
        elif any(s.action != "keep" for s in step_changes):
            resource_action = "update"
        else:
            resource_action = "no-op"
        blocked = None
        published = record.steps.get("publish") if record else None
        if (
            published
            and published.status == "completed"
            and not allow_republish
            and any(s.action == "run" for s in step_changes)
        ):
            blocked = (
                "this post is published; changing it would create and publish a new post "
                "(allow it with --allow-republish)"
            )
        changes.append(
            ResourceChange(
                address,
                resource.kind,
                resource_action,
                tuple(step_changes),
                resource.source_file,
                blocked,
            )
        )
    for address, record in sorted(lock.resources.items()):
        if address not in graph.resources:
            changes.append(
                ResourceChange(
                    address, record.kind, "forget", source_file=record.source.get("file")
                )
            )
    return Plan(tuple(changes), lock.lineage, lock.serial)


def _decide(
    project: Project,
    previous: StepRecord | None,
    new_hash: str | None,
    digests: Mapping[str, str],
    waiting_on: str | None,
    step: str,
) -> tuple[StepAction, str]:
    if previous is None:
        return "run", "new"
    if previous.status == "failed":
        return "run", f"previous attempt failed: {previous.error or 'unknown error'}"
    if waiting_on is not None:
        return "run", f"after {waiting_on}"
    if previous.input_hash != new_hash:
        changed = sorted(
            k
            for k in set(digests) | set(previous.fields)
            if digests.get(k) != previous.fields.get(k)
        )
        return "run", ("changed: " + ", ".join(changed)) if changed else "inputs changed"
    if previous.status == "pending":
        return "resume", f"job {previous.remote_id} was submitted earlier; collect its result"
    if previous.status == "submitting":
        return "resume", "a submission was interrupted before the API answered; reconcile it"
    if step == "download" and not _artifacts_present(project, previous):
        return "run", f"artifacts missing from {project.out_dir}/"
    return "keep", "unchanged"


def _artifacts_present(project: Project, record: StepRecord) -> bool:
    files = record.outputs.get("files", [])
    return all((project.root / Path(f["path"])).is_file() for f in files if isinstance(f, dict))


def provider_of(kind: str) -> str:
    return PROVIDER_OF_KIND[kind]

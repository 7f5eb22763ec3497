"""Compare the manifests with the lockfile: which steps run, why, and for how many credits.

Planning compares hashes only; it makes no API call. What a plan is made of is in
plan/changes.py (imported here too, where the planner's users find it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from contentctl.config import Project
from contentctl.graph import Graph
from contentctl.kinds import KINDS, estimate, steps_for
from contentctl.lockfile.records import Lockfile, ResourceRecord, StepRecord
from contentctl.model import Resource
from contentctl.plan import media_hashes, review, select
from contentctl.plan.changes import (
    FieldChange,
    Plan,
    PlanOptions,
    ResourceAction,
    ResourceChange,
    StepAction,
    StepChange,
)
from contentctl.plan.forgotten import forgotten, missing_artifacts
from contentctl.plan.noop_cache import NoopCache
from contentctl.plan.reasons import Why
from contentctl.plan.refusals import refused
from contentctl.plan.steps import (
    IMPORTED_HASH,
    REPLACING_HASH,
    StepSpec,
    input_hash,
)


def make_plan(
    project: Project,
    graph: Graph,
    lock: Lockfile,
    options: PlanOptions | None = None,
    now: datetime | None = None,
) -> Plan:
    """``now`` (UTC, the clock by default) decides which schedules are already in the past."""
    noops = NoopCache.of(project, lock)
    plan = _plan(project, graph, lock, options or PlanOptions(), now, noops)
    media_hashes.save(project.root)  # a later plan does not read unchanged media again
    noops.save()
    return plan


def _plan(
    project: Project,
    graph: Graph,
    lock: Lockfile,
    options: PlanOptions,
    now: datetime | None,
    noops: NoopCache,
) -> Plan:
    now = now or datetime.now(timezone.utc)
    lock, moves = _apply_moves(project, graph, lock)
    if moves:
        noops = NoopCache.none()  # its verdicts are by address, before any move
    root = project.root
    chosen = select.chosen(graph, lock, options)
    runs: dict[str, bool] = {}  # "address#step" -> will run (or resume) in this apply
    changes: list[ResourceChange] = []
    held: list[review.Held] = []
    for address in graph.order:
        resource = graph.resources[address]
        if address not in chosen:
            for name in noops.names(resource) or [s.name for s in steps_for(resource, root)]:
                runs[f"{address}#{name}"] = False
            continue
        forced = address in options.replace
        found = None if forced else noops.change(resource, runs)
        if found is not None:
            changes.append(found)
            continue
        specs = steps_for(resource, root)
        change, holding = _resource_change(project, resource, specs, lock, runs, options, now)
        if not forced and holding is None:
            noops.remember(resource, specs, change, runs)
        moved = moves.get(address)
        changes.append(dataclasses.replace(change, moved_from=moved) if moved else change)
        # A refused change makes nothing: none of it waits for review.
        held.extend([holding] if holding and not change.blocked else [])
    for gone in forgotten(project, graph, lock, options):
        if options.generate:
            held.append(review.held_resource(gone.address, gone.action))
        else:
            changes.append(gone)
    return Plan(
        tuple(changes),
        lock.lineage,
        lock.serial,
        lock.exists,
        options,
        missing_artifacts(project, lock),
        _elsewhere(project, graph, lock, options, now, noops),
        tuple(held),
    )


def _resource_change(
    project: Project,
    resource: Resource,
    specs: tuple[StepSpec, ...],
    lock: Lockfile,
    runs: dict[str, bool],
    options: PlanOptions,
    now: datetime,
) -> tuple[ResourceChange, review.Held | None]:
    """One resource's change, and what of it is held back for review."""
    address = resource.address
    record = lock.resources.get(address)
    forced = address in options.replace
    ignore = lifecycle(resource).get("ignore_changes") or []
    step_changes = [
        _step_change(project, resource, spec, lock, runs, forced, ignore) for spec in specs
    ]
    holding = review.held_steps(
        address,
        specs,
        {s.name: s.action for s in step_changes},
        lock,
        runs,
        generate=options.generate,
        reviewed=project.publishing == review.REVIEWED,
    )
    if holding is not None:
        step_changes = [s for s in step_changes if s.name not in holding.steps]
        runs.update({f"{address}#{name}": False for name in holding.steps})
    kept = {s.name for s in step_changes}
    change = ResourceChange(
        address,
        resource.kind,
        _action(record, specs, step_changes, holding is not None, forced),
        tuple(step_changes),
        resource.source_file,
        **refused(resource, record, step_changes, options, now),
        warning=_left_behind(record, [s for s in specs if s.name in kept], step_changes),
        time_zone=_time_zone(resource),
    )
    return change, holding


def _action(
    record: ResourceRecord | None,
    specs: Sequence[StepSpec],
    step_changes: Sequence[StepChange],
    holding: bool,
    forced: bool,
) -> ResourceAction:
    if holding and all(s.action == "keep" for s in step_changes):
        return "no-op"
    if record is None or _never_created(record, specs):
        return "create"
    if forced or _replacing(record):
        return "replace"
    if any(s.action != "keep" for s in step_changes):
        return "update"
    return "no-op"


def _elsewhere(
    project: Project,
    graph: Graph,
    lock: Lockfile,
    options: PlanOptions,
    now: datetime,
    noops: NoopCache,
) -> tuple[ResourceChange, ...]:
    """With --changed-since: what the apply after it would also run, outside the change."""
    if options.limit_to is None:
        return ()
    whole = dataclasses.replace(options, limit_to=None)
    everything = _plan(project, graph, lock, whole, now, noops)
    focus = set(options.limit_to)
    return tuple(
        c
        for c in everything.changes
        if c.address not in focus and (c.action != "no-op" or c.moved_from)
    )


def _step_change(
    project: Project,
    resource: Resource,
    spec: StepSpec,
    lock: Lockfile,
    runs: dict[str, bool],
    forced: bool,
    ignore: Collection[str],
) -> StepChange:
    address = resource.address
    previous = lock.step(address, spec.name)
    upstream: dict[str, StepRecord] = {}
    waiting_on = None
    for up in spec.upstream:
        found = lock.step(up.address, up.step)
        if runs.get(up.key) or found is None or found.status != "completed":
            waiting_on = waiting_on or up
        else:
            upstream[up.key] = found
    ignored = _ignored(ignore, spec, previous)
    new_hash = None if waiting_on else input_hash(ignored, upstream)
    changed = _field_changes(ignored, previous)
    action: StepAction
    if forced:
        action, why, reason = "run", Why.FORCED, "forced by --replace"
    elif previous is not None and previous.input_hash == REPLACING_HASH:
        # An apply --replace was interrupted before it regenerated this step.
        forced = True
        action, why, reason = "run", Why.FINISHING_REPLACE, "finishing an interrupted --replace"
    else:
        action, why, reason = decide(
            previous,
            new_hash,
            changed,
            waiting_on.key.replace("#", " ") if waiting_on else None,
        )
    # An object updated in place keeps its id: what depends on its identity is unaffected.
    keeps_identity = (
        spec.in_place and not forced and previous is not None and bool(previous.remote_id)
    )
    runs[f"{address}#{spec.name}"] = action != "keep" and not keeps_identity
    cost = estimate(spec, resource, project.prices) if action == "run" else 0
    after = (
        waiting_on.key.replace("#", " ")
        if waiting_on and not forced and previous is not None and previous.status != "failed"
        else None
    )
    return StepChange(
        spec.name,
        action,
        reason,
        cost,
        spec.paid,
        new_hash,
        changed,
        spec.publishes,
        after,
        inputs=ignored.fields,
        why=why,
    )


def _replacing(record: ResourceRecord) -> bool:
    """An apply --replace of this resource was interrupted before it finished."""
    return any(s.input_hash == REPLACING_HASH for s in record.steps.values())


def _never_created(record: ResourceRecord, chain: Sequence[StepSpec]) -> bool:
    """Only the steps before the object exists have records (an apply interrupted or failed
    on its way to creating it): applying creates it, it updates nothing.

    The object exists once its owning step, or a step after it, has completed once; an object
    updated in place exists as soon as its id is recorded."""
    names = [s.name for s in chain]
    kind = KINDS.get(record.kind)
    owning = kind.owning_step if kind else None
    if owning not in names:
        return False
    owner = record.steps.get(owning)
    in_place = any(s.in_place for s in chain if s.name == owning)
    if owner is not None and owner.remote_id and in_place:
        return False
    return not any(
        (found := record.steps.get(name)) is not None and found.status == "completed"
        for name in names[names.index(owning) :]
    )


def _left_behind(
    record: ResourceRecord | None, specs: Sequence[StepSpec], changes: Sequence[StepChange]
) -> str | None:
    """What a re-run leaves behind that the API cannot delete: PowerPost's draft of a post."""
    for spec, change in zip(specs, changes, strict=True):
        previous = record.steps.get(spec.name) if record else None
        if (
            spec.leaves_behind
            and change.action == "run"
            and previous is not None
            and previous.status == "completed"
            and previous.remote_id
        ):
            published = record.steps.get("publish") if record else None
            what = (
                "published post"
                if published is not None and published.status == "completed"
                else spec.leaves_behind
            )
            api = {"powerpost": "PowerPost", "postnitro": "PostNitro"}[spec.provider]
            return (
                f"leaves {what} {previous.remote_id} behind in {api}, which cannot delete it "
                "through its API (`contentctl state orphans` lists what is left)"
            )
    return None


def _time_zone(resource: Resource) -> str | None:
    zone = KINDS[resource.kind].time_zone(resource.spec)
    return zone if isinstance(zone, str) else None


def _ignored(ignore: Collection[str], spec: StepSpec, previous: StepRecord | None) -> StepSpec:
    """The step as planned: fields under lifecycle.ignore_changes keep their recorded value."""
    if not ignore or previous is None:
        return spec
    fields = {
        name: (
            previous.inputs[name] if _covered(name, ignore) and name in previous.inputs else value
        )
        for name, value in spec.fields.items()
    }
    return dataclasses.replace(spec, fields=fields)


def _covered(name: str, patterns: Collection[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in patterns)


def lifecycle(resource: Resource) -> Mapping[str, Any]:
    data = resource.document.data
    found = data.get("lifecycle") if isinstance(data, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _field_changes(spec: StepSpec, previous: StepRecord | None) -> tuple[FieldChange, ...]:
    if previous is None:
        return ()
    names = sorted(set(spec.fields) | set(previous.inputs))
    return tuple(
        FieldChange(n, previous.inputs.get(n), spec.fields.get(n))
        for n in names
        if previous.inputs.get(n) != spec.fields.get(n)
    )


def decide(
    previous: StepRecord | None,
    new_hash: str | None,
    changed: Sequence[FieldChange],
    waiting_on: str | None,
) -> tuple[StepAction, Why, str]:
    """What to do with one step, given its record and its new input hash (None while it waits
    on an upstream result, named by waiting_on): the action, why, and the why in words."""
    if previous is None:
        return "run", Why.NEW, "new"
    if previous.status == "failed":
        return "run", Why.FAILED, f"previous attempt failed: {previous.error or 'unknown error'}"
    if waiting_on is not None:
        return "run", Why.AFTER, f"after {waiting_on}"
    if previous.input_hash == IMPORTED_HASH:
        return "run", Why.IMPORTED, "imported: the manifest is sent to it once"
    if previous.input_hash != new_hash:
        names = [c.field for c in changed]
        return "run", Why.CHANGED, ("changed: " + ", ".join(names)) if names else "inputs changed"
    if previous.status == "pending":
        message = f"job {previous.remote_id} was submitted earlier; collect its result"
        return "resume", Why.PENDING, message
    if previous.status == "submitting":
        message = "a submission was interrupted before the API answered; reconcile it"
        return "resume", Why.SUBMITTING, message
    return "keep", Why.UNCHANGED, "unchanged"


def _apply_moves(project: Project, graph: Graph, lock: Lockfile) -> tuple[Lockfile, dict[str, str]]:
    """``moved:`` blocks: the lockfile as if each record already had its new address."""
    if not any(old in lock.resources and new in graph.resources for old, new in project.moved):
        return lock, {}  # no record moves (its records are not all read to say so)
    resources = dict(lock.resources)
    moves: dict[str, str] = {}
    for old, new in project.moved:
        if old in resources and new not in resources and new in graph.resources:
            resources[new] = resources.pop(old)
            moves[new] = old
    if not moves:
        return lock, moves
    return dataclasses.replace(lock, resources=resources), moves


__all__ = [
    "FieldChange",
    "Plan",
    "PlanOptions",
    "ResourceAction",
    "ResourceChange",
    "StepAction",
    "StepChange",
    "decide",
    "lifecycle",
    "make_plan",
    "missing_artifacts",
]

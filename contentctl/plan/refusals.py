"""Why apply must refuse a change, and what would allow it: a published post changed, a
schedule whose time has passed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from contentctl.kinds import KINDS
from contentctl.lockfile.records import ResourceRecord
from contentctl.model import Resource
from contentctl.plan.changes import PlanOptions, StepChange

REPUBLISH = "--allow-republish"
REMOVED = "list it under spec.removed in contentctl.yaml"
SCHEDULE_LATER = "move spec.at later, or remove the manifest if the schedule has gone out"


def refused(
    resource: Resource,
    record: ResourceRecord | None,
    steps: Sequence[StepChange],
    options: PlanOptions,
    now: datetime,
) -> dict[str, str | None]:
    """Why apply must refuse this change, and what would allow it (its own hint)."""
    published = _blocked(record, steps, options)
    if published:
        return {"blocked": published, "unblock": REPUBLISH}
    late = _too_late(resource, steps, now)
    if late:
        return {"blocked": late, "unblock": SCHEDULE_LATER}
    return {}


def _blocked(
    record: ResourceRecord | None, steps: Sequence[StepChange], options: PlanOptions
) -> str | None:
    published = record.steps.get("publish") if record else None
    if (
        published
        and published.status == "completed"
        and not options.allow_republish
        and any(s.action == "run" for s in steps)
    ):
        return (
            "this post is published; changing it would create and publish a new post "
            "(allow it with --allow-republish)"
        )
    return None


def _too_late(resource: Resource, steps: Sequence[StepChange], now: datetime) -> str | None:
    """A time its API would refuse by the time the step that sends it runs."""
    kind = KINDS[resource.kind]
    if kind.too_late is None or not any(
        s.name == kind.owning_step and s.action == "run" for s in steps
    ):
        return None
    return kind.too_late(resource, now)

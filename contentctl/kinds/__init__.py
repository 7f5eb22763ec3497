"""Every kind of resource, one module each; adding a kind is a module and a line here.

The stages ask this registry what a kind does (its steps, estimates, runners, how it is
deleted) and never test a kind's name. docs/architecture.md says what else a new kind needs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.config import Prices
from contentctl.kinds import brand, calendar_entry, carousel, media, post, schedule, video
from contentctl.kinds.kind import Kind
from contentctl.model import Diagnostic, Resource
from contentctl.plan.steps import StepSpec

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner

KINDS: dict[str, Kind] = {
    "Post": post.KIND,
    "Carousel": carousel.KIND,
    "Media": media.KIND,
    "Video": video.KIND,
    "Brand": brand.KIND,
    "Schedule": schedule.KIND,
    "CalendarEntry": calendar_entry.KIND,
}


# Each kind's schema file, by kind name.
KIND_SCHEMAS = {name: kind.schema for name, kind in KINDS.items()}
# Where each kind's spec refers to other resources, by kind name.
REFERENCE_FIELDS = {name: kind.references for name, kind in KINDS.items()}


def runners() -> dict[tuple[str, str], Runner]:
    """Every runner of every kind, by (kind, step): loads the request code."""
    return {(n, step): r for n, k in KINDS.items() for step, r in k.runners().items()}


def check(
    root: Path, resource: Resource, others: Mapping[str, Resource] | None = None
) -> Iterator[Diagnostic]:
    """The checks a schema cannot express; ``others`` (by address) for cross-resource ones."""
    return KINDS[resource.kind].check(root, resource, others)


def steps_for(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    """The chain of steps that creates ``resource``, in order."""
    return KINDS[resource.kind].steps(resource, root)


def estimate(step: StepSpec, resource: Resource, prices: Prices) -> float:
    """Credits ``step`` is expected to cost when it runs (the APIs' report wins after)."""
    return KINDS[resource.kind].estimate(step, resource, prices) if step.paid else 0


__all__ = [
    "KINDS",
    "KIND_SCHEMAS",
    "REFERENCE_FIELDS",
    "Kind",
    "check",
    "estimate",
    "runners",
    "steps_for",
]

"""What a plan is made of: each resource's change, each step's, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from contentctl.plan import review
from contentctl.plan.reasons import Why

StepAction = Literal["run", "resume", "keep"]
ResourceAction = Literal["create", "update", "replace", "no-op", "delete", "forget"]


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class StepChange:
    name: str
    action: StepAction
    reason: str
    credits: float
    paid: bool
    input_hash: str | None  # None while it depends on a result known only after apply
    changes: tuple[FieldChange, ...] = ()
    publishes: bool = False  # running it puts content in front of the public
    # The upstream step ("address step") whose new result this step waits for: its inputs
    # are known only after apply, so it may yet come back unchanged.
    after: str | None = None
    # What the step sends, as planned: shown to reviewers for what is created.
    inputs: Mapping[str, Any] = field(default_factory=dict, compare=False)
    why: Why = Why.CHANGED  # the planner always sets it; the default serves hand-built steps


@dataclass(frozen=True)
class ResourceChange:
    address: str
    kind: str
    action: ResourceAction
    steps: tuple[StepChange, ...] = ()
    source_file: str | None = None
    blocked: str | None = None  # why apply must refuse this change
    unblock: str | None = None  # what would allow it
    moved_from: str | None = None
    warning: str | None = None
    # The zone the manifest writes its times in (a Schedule's time_zone), to show them so.
    time_zone: str | None = None

    @property
    def credits(self) -> float:
        return sum(s.credits for s in self.steps if s.action == "run")

    @property
    def running(self) -> tuple[StepChange, ...]:
        return tuple(s for s in self.steps if s.action != "keep")

    @property
    def publishes(self) -> bool:
        return any(s.publishes and s.action != "keep" for s in self.steps)


@dataclass(frozen=True)
class PlanOptions:
    """What the command line asked of the plan; saved with it, applied with it."""

    allow_republish: bool = False
    replace: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    limit_to: tuple[str, ...] | None = None  # exact addresses (--changed-since)
    generate: bool = False  # a generate stage: only private, reversible steps (plan.review)


@dataclass(frozen=True)
class Plan:
    changes: tuple[ResourceChange, ...]  # in dependency order; forgotten resources last
    lineage: str
    serial: int
    lockfile_exists: bool = True
    options: PlanOptions = field(default_factory=PlanOptions)
    missing_artifacts: tuple[str, ...] = ()  # files `contentctl pull` would fetch: no change
    # With --changed-since: changes outside what changed (the lockfile lags behind the
    # manifests: an earlier apply failed or has not run). Not in this plan; the next apply
    # without --changed-since runs them too, so a pull request's plan says so.
    elsewhere: tuple[ResourceChange, ...] = ()
    # Steps held back instead of run: by a generate stage, or for review (contentctl.plan.review).
    held: tuple[review.Held, ...] = ()

    @property
    def needs_review(self) -> tuple[review.Held, ...]:
        return tuple(h for h in self.held if h.needs_review)

    @property
    def has_changes(self) -> bool:
        return any(c.action != "no-op" or c.moved_from for c in self.changes)

    @property
    def credits(self) -> float:
        return sum(c.credits for c in self.changes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for change in self.changes:
            out[change.action] = out.get(change.action, 0) + 1
            if change.moved_from:
                out["move"] = out.get("move", 0) + 1
        return out

    @property
    def blocked(self) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self.changes if c.blocked)

    @property
    def publishes(self) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self.changes if c.publishes)

"""What an apply reports: each event as it happens, and the result it ends with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal[
    "moved",
    "submitted",
    "resumed",
    "reconciled",
    "completed",
    "failed",
    "skipped",
    "forgotten",
    "deleted",
    "unchanged",
    "still-running",
    "not-started",
    "warning",
]


@dataclass(frozen=True)
class Event:
    kind: EventKind
    address: str
    step: str | None = None
    message: str = ""
    remote_id: str | None = None
    credits: float | None = None
    elapsed: float | None = None
    earlier: bool = False  # a job an earlier apply submitted (its credits were spent then)


@dataclass(frozen=True)
class Failure:
    address: str
    step: str | None
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class StepWarning:
    """A step that completed with something the user should know (AI images skipped)."""

    address: str
    step: str
    message: str


@dataclass(frozen=True)
class StillRunning:
    """A job the API accepted and that is recorded pending: collected by a later apply."""

    address: str
    step: str
    remote_id: str
    why: str


@dataclass
class ApplyResult:
    failures: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    still_running: list[StillRunning] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)  # left out because apply stopped
    warnings: list[StepWarning] = field(default_factory=list)  # completed steps; not failures
    credits_used: float = 0.0  # by the jobs this apply submitted
    credits_by_resource: dict[str, float] = field(default_factory=dict)
    # Jobs an earlier (interrupted) apply submitted and paid for, collected by this one.
    credits_earlier: float = 0.0
    credits_earlier_by_resource: dict[str, float] = field(default_factory=dict)
    steps_run: int = 0
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not (
            self.failures
            or self.skipped
            or self.still_running
            or self.not_started
            or self.interrupted
        )

"""How an apply tells what happened: each outcome becomes an event for the caller and a
line of its :class:`~contentctl.apply.results.ApplyResult`."""

from __future__ import annotations

from collections.abc import Callable

from contentctl.apply.results import (
    ApplyResult,
    Event,
    EventKind,
    Failure,
    StepWarning,
    StillRunning,
)
from contentctl.errors import ApiError, ContentctlError
from contentctl.providers import Providers


class Outcomes:
    """The events of one apply, sent to ``on_event`` as they happen, and their tally."""

    def __init__(self, on_event: Callable[[Event], None]) -> None:
        self.on_event = on_event
        self.result = ApplyResult()
        self.failed: set[str] = set()  # resources that failed, or whose dependencies did

    def emit(
        self,
        kind: EventKind,
        address: str,
        step: str | None = None,
        *,
        message: str = "",
        remote_id: str | None = None,
        credits: float | None = None,
        elapsed: float | None = None,
        earlier: bool = False,
    ) -> None:
        self.on_event(Event(kind, address, step, message, remote_id, credits, elapsed, earlier))

    def completed(
        self,
        address: str,
        step: str,
        remote_id: str | None,
        credits: float | None,
        *,
        elapsed: float,
        earlier: bool,
    ) -> None:
        """A step done; ``earlier``: its job was submitted (and paid for) by an earlier apply."""
        result = self.result
        result.steps_run += 1
        if earlier:
            result.credits_earlier += credits or 0
            by_resource = result.credits_earlier_by_resource
        else:
            result.credits_used += credits or 0
            by_resource = result.credits_by_resource
        by_resource[address] = by_resource.get(address, 0) + (credits or 0)
        self.emit(
            "completed",
            address,
            step,
            remote_id=remote_id,
            credits=credits,
            elapsed=elapsed,
            earlier=earlier,
        )

    def warn(self, address: str, step: str, message: str) -> None:
        self.result.warnings.append(StepWarning(address, step, message))
        self.emit("warning", address, step, message=message)

    def left_running(self, address: str, step: str, remote_id: str, why: str) -> None:
        self.result.still_running.append(StillRunning(address, step, remote_id, why))
        self.emit("still-running", address, step, message=why, remote_id=remote_id)

    def not_started(self, address: str, step: str | None, why: str) -> None:
        self.result.not_started.append(address)
        self.emit("not-started", address, step, message=why)

    def fail(self, address: str, step: str | None, message: str, hint: str | None = None) -> None:
        self.failed.add(address)
        self.result.failures.append(Failure(address, step, message, hint))
        self.emit("failed", address, step, message=message)


def message_of(exc: ContentctlError) -> str:
    """What a failure says: an API error names its provider, status and code."""
    return str(exc) if isinstance(exc, ApiError) else exc.message


async def explain(exc: ContentctlError, providers: Providers, plan_credits: float) -> str | None:
    """A hint that uses what we know: for a 402, the balance next to the plan's cost."""
    if not (isinstance(exc, ApiError) and exc.code == "INSUFFICIENT_CREDITS"):
        return exc.hint
    client = providers.powerpost
    try:
        balance = await client.credits() if client else None
    except ContentctlError:
        balance = None
    have = f"the PowerPost balance is {balance:g} credits; " if balance is not None else ""
    return (
        f"{have}this plan is estimated at {plan_credits:g} credits. "
        "Buy credits in PowerPost, then run apply again: completed steps are kept"
    )

"""What the runners of asynchronous jobs share: polling through the step's context, a failed
job's error, and the API's timestamps (for finding what an interrupted submission made)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, TypeVar

from contentctl.apply.runners import StepContext
from contentctl.errors import JobFailedError
from contentctl.providers.polling import poll

T = TypeVar("T")

CLOCK_SKEW = 300  # seconds of disagreement tolerated between our clock and the API's


async def poll_job(
    ctx: StepContext,
    provider: str,
    fetch: Callable[[], Awaitable[T]],
    finished: Callable[[T], bool],
    what: str,
    *,
    timeout_factor: float = 1,
) -> T:
    """Poll this step's job on the provider's schedule, first where this apply's jobs of the
    same step were done (:class:`~contentctl.providers.polling.JobDurations`)."""
    polling = ctx.polling[provider]
    return await poll(
        fetch,
        finished,
        replace(polling, timeout=polling.timeout * timeout_factor),
        provider=provider,
        what=what,
        sleep=ctx.sleep,
        clock=ctx.clock,
        durations=ctx.durations,
        kind=ctx.spec.name,
        since=ctx.answered_at,
    )


async def finished_job(
    ctx: StepContext,
    provider: str,
    fetch: Callable[[], Awaitable[dict[str, Any]]],
    what: str,
    timeout_factor: float = 1,
) -> dict[str, Any]:
    """Poll a job whose status ends ``completed`` or ``failed`` (PowerPost's generations) to
    its end; a failed one raises with the API's reason."""
    job = await poll_job(
        ctx,
        provider,
        fetch,
        lambda j: j.get("status") in ("completed", "failed"),
        what,
        timeout_factor=timeout_factor,
    )
    if job["status"] == "failed":
        raise job_failed(provider, what.rsplit(" ", 1)[0], job)
    return job


def job_failed(provider: str, what: str, job: Mapping[str, Any]) -> JobFailedError:
    found = job.get("error")
    error: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    message = str(error.get("message") or f"{what} failed")
    code = error.get("code")
    return JobFailedError(
        message,
        provider=provider,
        code=str(code) if code else None,
        hint="failed jobs are refunded; run apply again to retry",
    )


def seconds_of(timestamp: object) -> float:
    """Epoch seconds of an ISO-8601 UTC timestamp; 0 when there is none."""
    if not isinstance(timestamp, str) or not timestamp:
        return 0.0
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()

"""The shape of a step runner: what the executor calls, and what it gets back.

What each step does against the APIs: build the request from the spec, read the answer.

A runner has ``submit`` (one request; for asynchronous jobs it returns the job id at once, so
the executor can record it before polling) and, for jobs, ``collect`` (poll to the end).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

from contentctl.config import Polling, Project
from contentctl.errors import ApiError, JobFailedError
from contentctl.lockfile import StepRecord
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec
from contentctl.providers import Providers
from contentctl.providers.http import Sleep

MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024
CLOCK_SKEW = 300  # seconds of disagreement tolerated between our clock and the API's
DOWNLOAD_TYPES = ("image/png", "image/jpeg", "image/webp", "application/pdf")


@dataclass(frozen=True)
class Submitted:
    remote_id: str | None
    credits_used: float | None = None
    outputs: Mapping[str, Any] | None = None  # set when the step finished in one request

    @property
    def done(self) -> bool:
        return self.outputs is not None


@dataclass(frozen=True)
class Collected:
    outputs: Mapping[str, Any]
    credits_used: float | None = None


@dataclass
class StepContext:
    project: Project
    resource: Resource
    spec: StepSpec
    upstream: Mapping[str, StepRecord]  # keyed by Upstream.key
    providers: Providers
    request_ref: str
    polling: Mapping[str, Polling]
    sleep: Sleep
    previous: StepRecord | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def up(self, address: str, step: str) -> StepRecord:
        return self.upstream[f"{address}#{step}"]

    def own(self, step: str) -> StepRecord | None:
        return self.upstream.get(f"{self.resource.address}#{step}")


class Runner(Protocol):
    """One kind of step. ``collect`` exists only for asynchronous jobs.

    ``safe_to_resubmit`` says whether sending the request again after an interrupted
    submission can cost nothing twice (free calls, or calls the API refuses to repeat).
    """

    safe_to_resubmit: bool

    async def submit(self, ctx: StepContext) -> Submitted: ...

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected: ...

    async def reconcile(self, ctx: StepContext) -> str | None:
        """Find a job an interrupted submission may have created; None when impossible."""
        ...


class SyncStep:
    safe_to_resubmit = True  # free, synchronous calls: at worst a duplicate draft or upload

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:  # pragma: no cover
        raise AssertionError("synchronous steps have nothing to collect")

    async def reconcile(self, ctx: StepContext) -> str | None:
        return None


class InPlace(SyncStep):
    """An object created once and then updated in place: its remote id survives updates.

    ``create`` and ``update`` each make one request; with ``apply --replace`` a new object
    is created and, where the API can delete, the old one is deleted after it.
    """

    updates_in_place = True
    write_ahead = False  # True: record "submitting" first, and reconcile() can find it
    what = "object"

    async def create(self, ctx: StepContext) -> tuple[str, Mapping[str, Any]]:
        raise NotImplementedError

    async def update(self, ctx: StepContext, remote_id: str) -> Mapping[str, Any]:
        raise NotImplementedError

    deletable = False  # the API can delete it: subclasses then define remove()

    async def remove(self, providers: Providers, remote_id: str) -> None:
        raise NotImplementedError

    async def delete(self, providers: Providers, remote_id: str) -> bool:
        """Delete the object; True when it was already gone."""
        try:
            await self.remove(providers, remote_id)
        except ApiError as exc:
            if exc.status == 404:
                return True
            raise
        return False

    async def submit(self, ctx: StepContext) -> Submitted:
        current = ctx.previous.remote_id if ctx.previous else None
        if current and not ctx.extra.get("replacing"):
            try:
                outputs = await self.update(ctx, current)
            except ApiError as exc:
                if exc.status == 404:
                    exc.hint = (
                        f"the {self.what} {current} was deleted outside contentctl; to create "
                        f"it again run apply --replace {ctx.resource.address}"
                    )
                raise
            return Submitted(current, 0, outputs)
        remote_id, outputs = await self.create(ctx)
        if current and ctx.extra.get("replacing") and self.deletable:
            await self.delete(ctx.providers, current)
        return Submitted(remote_id, 0, outputs)


def seconds_of(timestamp: object) -> float:
    """Epoch seconds of an ISO-8601 UTC timestamp; 0 when there is none."""
    if not isinstance(timestamp, str) or not timestamp:
        return 0.0
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


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

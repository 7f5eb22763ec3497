"""The shape of a step runner: what the executor calls, and what it gets back.

What each step does against the APIs: build the request from the spec, read the answer.

A runner has ``submit`` (one request; for asynchronous jobs it returns the job id at once, so
the executor can record it before polling), for jobs ``collect`` (poll to the end), and
``reconcile`` (what became of a submission interrupted before its answer arrived).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from contentctl.config import Polling, Project
from contentctl.errors import ApiError, JobFailedError
from contentctl.lockfile import Lockfile, StepRecord
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec
from contentctl.providers import Providers
from contentctl.providers.polling import JobDurations
from contentctl.providers.timing import Sleep

CLOCK_SKEW = 300  # seconds of disagreement tolerated between our clock and the API's


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
    # The job completed, but not all of it went as asked (AI images skipped): said on the
    # step, recorded with its outputs, and repeated in the summary.
    warnings: tuple[str, ...] = ()


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
    lockfile: Lockfile  # as it stands when the step starts
    previous: StepRecord | None = None
    replacing: bool = False  # apply --replace: create a new object instead of updating
    # Remote ids this step already tracks for other resources: never adopt one of them.
    known_ids: Container[str] = frozenset()
    # How long jobs of each kind took in this apply (None: poll on the documented schedule).
    durations: JobDurations | None = None

    def up(self, address: str, step: str) -> StepRecord:
        return self.upstream[f"{address}#{step}"]

    def own(self, step: str) -> StepRecord | None:
        return self.upstream.get(f"{self.resource.address}#{step}")


@dataclass(frozen=True)
class Reconciled:
    """What became of a submission that was interrupted before the API answered.

    ``remote_id``: found, the interrupted run created it. ``absent``: the API lists what
    exists and it is not there, so it was never accepted and sending it again is safe.
    Neither: the API offers no way to know.
    """

    remote_id: str | None = None
    absent: bool = False


UNKNOWN = Reconciled()
ABSENT = Reconciled(absent=True)


class Runner(Protocol):
    """One kind of step, and the properties the executor's money rules hang on.

    Every creating request a runner sends is recorded as "submitting" just before its
    bytes go out (the HTTP layer's send guard); what happens to an interrupted one
    follows from these declarations, which every runner must make.
    """

    job: bool  # an asynchronous job: submit answers its id at once, collect polls it
    paid: bool  # costs credits: never sent again while it may have been accepted
    in_place: bool  # created once and then updated in place: its id survives updates

    async def submit(self, ctx: StepContext) -> Submitted: ...

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected: ...

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """Find what an interrupted submission created, prove it absent, or say unknown."""
        ...


class SyncStep:
    """A step that finishes in its one request (or a few): nothing to collect."""

    job = False
    in_place = False

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:  # pragma: no cover
        raise AssertionError("synchronous steps have nothing to collect")

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        return UNKNOWN


class InPlace(SyncStep):
    """An object created once and then updated in place: its remote id survives updates.

    ``create`` and ``update`` each make one request; with ``apply --replace`` a new object
    is created and, where the API can delete, the old one is deleted after it.
    """

    in_place = True
    what = "object"

    @staticmethod
    def body(ctx: StepContext) -> dict[str, Any]:
        """What a create or an update sends: import compares it with the remote object."""
        raise NotImplementedError

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
        if current and not ctx.replacing:
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
        if current and ctx.replacing and self.deletable:
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

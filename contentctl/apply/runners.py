"""The shape of a step runner: what the executor calls, and what it gets back.

A runner has ``submit`` (one request; for asynchronous jobs it returns the job id at once, so
the executor can record it before polling), for jobs ``collect`` (poll to the end), and
``reconcile`` (what became of a submission interrupted before its answer arrived). The
runners themselves, by what they do, are the ``powerpost_*`` and ``postnitro_*`` modules;
:mod:`~contentctl.apply.sync_steps` and :mod:`~contentctl.apply.jobs` hold what they share.
"""

from __future__ import annotations

import time
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from contentctl.config import Polling, Project
from contentctl.lockfile.records import Lockfile, StepRecord
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec
from contentctl.providers import Providers
from contentctl.providers.polling import JobDurations
from contentctl.providers.timing import Clock, Sleep


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
    clock: Clock = time.monotonic
    # When the API answered this step's submission (by ``clock``): its job's time runs from
    # then, not from when this apply got round to recording it. None: an earlier apply's job.
    answered_at: float | None = None

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

"""The executor: runs the planned steps in dependency order with bounded parallelism.

Each step runs as an :class:`~contentctl.apply.attempt.Attempt`, which keeps the
write-ahead discipline. Stopping (a signal, or Ctrl-C) comes in two degrees: ``stop()``
sends nothing new, lets requests already in flight get their answer and be recorded,
and leaves running jobs recorded as pending; ``stop(at_once=True)`` also abandons the
requests in flight, whose steps stay "submitting" for the next apply to reconcile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from contentctl.apply.attempt import Attempt
from contentctl.apply.runners import StepContext
from contentctl.checkpoint import Checkpoint
from contentctl.config import Polling, Project
from contentctl.errors import ApiError, ContentctlError
from contentctl.graph import Graph
from contentctl.kinds import KINDS, steps_for
from contentctl.lockfile import LockfileWriter, StepRecord
from contentctl.model import Resource
from contentctl.plan.diff import Plan, ResourceChange, StepChange
from contentctl.plan.steps import REPLACING_HASH, StepSpec, input_hash
from contentctl.providers import Providers
from contentctl.providers.polling import JobDurations
from contentctl.providers.timing import Sleep

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
# Steps whose record outlives the step leaving the chain: publishing cannot be undone.
DURABLE_STEPS = frozenset({"publish"})


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


class Executor:
    def __init__(
        self,
        project: Project,
        graph: Graph,
        plan: Plan,
        writer: LockfileWriter,
        providers: Providers,
        *,
        parallelism: int,
        polling: Mapping[str, Polling],
        on_event: Callable[[Event], None] = lambda e: None,
        sleep: Sleep = asyncio.sleep,
        resubmit_uncertain: bool = False,
        source_commit: str | None = None,
        checkpoint: Checkpoint | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.project = project
        self.clock = clock
        self.graph = graph
        self.plan = plan
        self.writer = writer
        self.providers = providers
        self.polling = polling
        self.on_event = on_event
        self.sleep = sleep
        self.resubmit_uncertain = resubmit_uncertain
        self.source_commit = source_commit
        self.checkpoint = checkpoint
        self.semaphore = asyncio.Semaphore(parallelism)
        self.result = ApplyResult()
        self.stopping = False
        # Tasks whose step is recorded "submitting" and awaits the API's answer to it.
        self.open_requests: set[asyncio.Task[object] | None] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._failed: set[str] = set()
        self._done: dict[str, asyncio.Event] = {}
        self.durations = JobDurations()  # where each kind of job is polled first

    def stop(self, *, at_once: bool = False) -> None:
        """Send nothing new; with ``at_once``, abandon requests in flight too."""
        self.stopping = True
        self.result.interrupted = True
        for task in self._tasks:
            if at_once or task not in self.open_requests:
                task.cancel()

    async def run(self) -> ApplyResult:
        for change in self.plan.changes:
            if change.moved_from and change.moved_from in self.writer.current.resources:
                self.writer.rename(change.moved_from, change.address)
                self.emit(
                    "moved", change.address, message=f"moved from {change.moved_from}; no API call"
                )
        changes = [c for c in self.plan.changes if c.action not in ("forget", "delete")]
        self._done = {c.address: asyncio.Event() for c in changes}
        await self._all(self._resource(c) for c in changes)
        await self._all(self._delete(c) for c in self.plan.changes if c.action == "delete")
        for change in self.plan.changes:
            if self.stopping:
                break
            if change.action == "forget" and not change.blocked:
                self.writer.forget(change.address)
                self.emit(
                    "forgotten",
                    change.address,
                    message=change.warning or "no longer managed (spec.removed)",
                )
        return self.result

    async def _all(self, work: Iterable[Coroutine[object, object, None]]) -> None:
        tasks = [asyncio.ensure_future(w) for w in work]
        if self.stopping:
            for task in tasks:
                task.cancel()
        self._tasks = tasks
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []

    async def _delete(self, change: ResourceChange) -> None:
        """DELETE the remote object, then stop tracking it; gone already counts as deleted."""
        address = change.address
        if change.blocked:
            self.fail(address, None, change.blocked)
            return
        record = self.writer.current.resources.get(address)
        if record is None:
            return
        kind = KINDS[record.kind]
        remote_id = record.steps[kind.deleted_through or ""].remote_id
        assert remote_id is not None
        async with self.semaphore:
            try:
                gone = await kind.delete(self.providers, remote_id)
            except ContentctlError as exc:
                self.fail(address, "delete", _message(exc))
                return
        self.writer.forget(address)
        self.result.steps_run += 1
        self.emit(
            "deleted",
            address,
            "delete",
            remote_id=remote_id,
            message="already gone remotely; no longer tracked" if gone else "deleted",
        )

    async def _resource(self, change: ResourceChange) -> None:
        address = change.address
        try:
            for dependency in self.graph.dependencies(address):
                if dependency in self._done:
                    await self._done[dependency].wait()
            failed = [d for d in self.graph.dependencies(address) if d in self._failed]
            if failed:
                self._failed.add(address)
                if change.running:
                    self.result.skipped.append(address)
                    self.emit(
                        "skipped", address, message=f"not attempted: {', '.join(failed)} failed"
                    )
                return
            if change.blocked:
                self.fail(address, None, change.blocked)
                return
            resource = self.graph.resources[address]
            chain = steps_for(resource, self.project.root)
            planned = {s.name: s for s in change.steps}
            if change.action == "replace" and not self.stopping:
                # Recorded before the first request: interrupted, the next apply finishes
                # the replace instead of keeping the results it had not regenerated yet.
                redone = {s.name for s in change.steps if s.action == "run"}
                self.writer.mark_replacing(address, redone, REPLACING_HASH)
            for spec in chain:
                step = planned.get(spec.name)
                if step is None or step.action == "keep":
                    continue
                if self.stopping:
                    self.not_started(address, spec.name, "apply stopped before it")
                    return
                if not await self._step(resource, spec, step, change.action == "replace"):
                    self._failed.add(address)
                    return
            names = {s.name for s in chain} | DURABLE_STEPS
            self.writer.retain_steps(address, names)
        except asyncio.CancelledError:
            self._failed.add(address)
            if address not in self.result.not_started and not any(
                r.address == address for r in self.result.still_running
            ):
                self.not_started(address, None, "apply stopped before it")
        finally:
            if address in self._done:
                self._done[address].set()

    async def _step(
        self, resource: Resource, spec: StepSpec, change: StepChange, replacing: bool = False
    ) -> bool:
        address = resource.address
        upstream: dict[str, StepRecord] = {}
        for up in spec.upstream:
            found = self.writer.current.step(up.address, up.step)
            if found is None or found.status != "completed":
                self.fail(address, spec.name, f"{up.address} {up.step} has not completed")
                return False
            upstream[up.key] = found
        new_hash = input_hash(spec, upstream)
        previous = self.writer.current.step(address, spec.name)
        if (
            change.after is not None
            and not replacing
            and previous is not None
            and previous.status == "completed"
            and previous.input_hash == new_hash
        ):
            # The plan could not know the upstream result; it came back the same.
            self.emit("unchanged", address, spec.name, message="inputs came back unchanged")
            return True
        runner = KINDS[resource.kind].runner(spec.name)
        ctx = StepContext(
            self.project,
            resource,
            spec,
            upstream,
            self.providers,
            request_ref=f"contentctl:{address}:{new_hash[7:23]}",
            polling=self.polling,
            sleep=self.sleep,
            lockfile=self.writer.current,
            previous=previous,
            replacing=replacing,
            known_ids=self.writer.remote_ids(spec.name),
            durations=self.durations,
        )
        # An object updated in place keeps its id through every update, and through a
        # failed one: the next apply must update it, not create a second one.
        kept_id = previous.remote_id if runner.in_place and previous and not replacing else None
        base = StepRecord(
            input_hash=new_hash,
            status="submitting",
            inputs=dict(spec.fields),
            request_ref=ctx.request_ref,
            remote_id=kept_id,
        )
        async with self.semaphore:
            if self.stopping:
                self.not_started(address, spec.name, "apply stopped before it")
                return False
            return await Attempt(self, resource, spec, runner, ctx, base).run()

    # What attempts report.

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
        attempt: Attempt,
    ) -> None:
        self.result.steps_run += 1
        if attempt.earlier:
            self.result.credits_earlier += credits or 0
            by_resource = self.result.credits_earlier_by_resource
        else:
            self.result.credits_used += credits or 0
            by_resource = self.result.credits_by_resource
        by_resource[address] = by_resource.get(address, 0) + (credits or 0)
        self.emit(
            "completed",
            address,
            step,
            remote_id=remote_id,
            credits=credits,
            elapsed=self.clock() - attempt.started,
            earlier=attempt.earlier,
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
        self._failed.add(address)
        self.result.failures.append(Failure(address, step, message, hint))
        self.emit("failed", address, step, message=message)

    async def explain(self, exc: ContentctlError) -> str | None:
        """A hint that uses what we know: for a 402, the balance next to the plan's cost."""
        if not (isinstance(exc, ApiError) and exc.code == "INSUFFICIENT_CREDITS"):
            return exc.hint
        client = self.providers.powerpost
        try:
            balance = await client.credits() if client else None
        except ContentctlError:
            balance = None
        have = f"the PowerPost balance is {balance:g} credits; " if balance is not None else ""
        return (
            f"{have}this plan is estimated at {self.plan.credits:g} credits. "
            "Buy credits in PowerPost, then run apply again: completed steps are kept"
        )


def _message(exc: ContentctlError) -> str:
    return str(exc) if isinstance(exc, ApiError) else exc.message

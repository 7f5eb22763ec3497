"""The executor: runs the planned steps in dependency order with bounded parallelism.

Write-ahead discipline, so a crash never loses a paid job: before a paid request the step is
recorded ``submitting``; the job id is recorded ``pending`` the moment the API answers; only
then does polling start. A later apply resumes a pending job instead of paying again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Literal

from contentctl.apply.runners import StepContext
from contentctl.apply.steps import ASYNC_STEPS, DELETERS, RUNNERS
from contentctl.config import Polling, Project
from contentctl.errors import ApiError, ContentctlError, PossiblySubmittedError
from contentctl.graph import Graph
from contentctl.lockfile import LockfileWriter, StepRecord
from contentctl.model import Resource
from contentctl.plan import Plan, ResourceChange, StepChange
from contentctl.plan.diff import lifecycle
from contentctl.plan.steps import (
    DELETED_THROUGH,
    PROVIDER_OF_KIND,
    StepSpec,
    input_hash,
    steps_for,
)
from contentctl.providers import Providers
from contentctl.providers.http import PollTimeout, Sleep

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


@dataclass(frozen=True)
class Failure:
    address: str
    step: str | None
    message: str
    hint: str | None = None


@dataclass
class ApplyResult:
    failures: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    still_running: list[tuple[str, str, str]] = field(default_factory=list)
    credits_used: float = 0.0
    credits_by_resource: dict[str, float] = field(default_factory=dict)
    steps_run: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.skipped and not self.still_running


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    ) -> None:
        self.project = project
        self.graph = graph
        self.plan = plan
        self.writer = writer
        self.providers = providers
        self.polling = polling
        self.on_event = on_event
        self.sleep = sleep
        self.resubmit_uncertain = resubmit_uncertain
        self.source_commit = source_commit
        self.semaphore = asyncio.Semaphore(parallelism)
        self.result = ApplyResult()
        self._failed: set[str] = set()
        self._done: dict[str, asyncio.Event] = {}

    async def run(self) -> ApplyResult:
        for change in self.plan.changes:
            if change.moved_from and change.moved_from in self.writer.current.resources:
                self.writer.rename(change.moved_from, change.address)
                self.on_event(
                    Event(
                        "moved",
                        change.address,
                        message=f"moved from {change.moved_from}; no API call",
                    )
                )
        changes = [c for c in self.plan.changes if c.action not in ("forget", "delete")]
        self._done = {c.address: asyncio.Event() for c in changes}
        await asyncio.gather(*(self._resource(c) for c in changes))
        await asyncio.gather(*(self._delete(c) for c in self.plan.changes if c.action == "delete"))
        for change in self.plan.changes:
            if change.action == "forget" and not change.blocked:
                self.writer.forget(change.address)
                self.on_event(
                    Event(
                        "forgotten",
                        change.address,
                        message=change.warning or "no longer managed (spec.removed)",
                    )
                )
        return self.result

    async def _delete(self, change: ResourceChange) -> None:
        """DELETE the remote object, then stop tracking it; gone already counts as deleted."""
        address = change.address
        if change.blocked:
            self._fail(address, None, change.blocked)
            return
        record = self.writer.current.resources.get(address)
        if record is None:
            return
        step = DELETED_THROUGH[record.kind]
        remote_id = record.steps[step].remote_id
        assert remote_id is not None
        async with self.semaphore:
            try:
                gone = await DELETERS[record.kind](self.providers, remote_id)
            except ContentctlError as exc:
                self._fail(address, "delete", str(exc) if hasattr(exc, "provider") else exc.message)
                return
        self.writer.forget(address)
        self.result.steps_run += 1
        self.on_event(
            Event(
                "deleted",
                address,
                "delete",
                remote_id=remote_id,
                message="already gone remotely; no longer tracked" if gone else "deleted",
            )
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
                    self.on_event(
                        Event(
                            "skipped", address, message=f"not attempted: {', '.join(failed)} failed"
                        )
                    )
                return
            if change.blocked:
                self._fail(address, None, change.blocked)
                return
            resource = self.graph.resources[address]
            chain = steps_for(resource, self.project.root)
            planned = {s.name: s for s in change.steps}
            for spec in chain:
                step = planned.get(spec.name)
                if step is None or step.action == "keep":
                    continue
                if not await self._step(resource, spec, step, change.action == "replace"):
                    self._failed.add(address)
                    return
            names = {s.name for s in chain} | DURABLE_STEPS
            self.writer.retain_steps(address, names)
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
                self._fail(address, spec.name, f"{up.address} {up.step} has not completed")
                return False
            upstream[up.key] = found
        new_hash = input_hash(spec, upstream)
        previous = self.writer.current.step(address, spec.name)
        if (
            change.reason.startswith("after ")
            and not replacing
            and previous is not None
            and previous.status == "completed"
            and previous.input_hash == new_hash
        ):
            # The plan could not know the upstream result; it came back the same.
            self.on_event(
                Event("unchanged", address, spec.name, message="inputs came back unchanged")
            )
            return True
        runner = RUNNERS[(resource.kind, spec.name)]
        is_job = (resource.kind, spec.name) in ASYNC_STEPS
        ctx = StepContext(
            self.project,
            resource,
            spec,
            upstream,
            self.providers,
            request_ref=f"contentctl:{address}:{new_hash[7:23]}",
            polling=self.polling,
            sleep=self.sleep,
            previous=previous,
            extra={
                "known_ids": self._known_ids(spec.name),
                "replacing": replacing,
                "lockfile": self.writer.current,
            },
        )
        # An object updated in place keeps its id through every update, and through a
        # failed one: the next apply must update it, not create a second one.
        in_place = getattr(runner, "updates_in_place", False)
        kept_id = previous.remote_id if in_place and previous and not replacing else None
        base = StepRecord(
            input_hash=new_hash,
            status="submitting",
            inputs=dict(spec.fields),
            request_ref=ctx.request_ref,
            remote_id=kept_id,
        )

        def record(step_record: StepRecord) -> None:
            self.writer.record_step(
                address,
                resource.kind,
                PROVIDER_OF_KIND[resource.kind],
                {
                    "file": resource.source_file,
                    **({"commit": self.source_commit} if self.source_commit else {}),
                },
                spec.name,
                step_record,
                prevent_destroy=bool(lifecycle(resource).get("prevent_destroy", False)),
            )

        started = time.monotonic()
        async with self.semaphore:
            remote_id: str | None = None
            credits: float | None = None
            try:
                same = previous is not None and previous.input_hash == new_hash
                if (
                    same
                    and previous is not None
                    and previous.status == "pending"
                    and previous.remote_id
                ):
                    remote_id, credits = previous.remote_id, previous.credits_used
                    base = previous
                    self.on_event(
                        Event(
                            "resumed",
                            address,
                            spec.name,
                            remote_id=remote_id,
                            message="collecting a job submitted earlier",
                        )
                    )
                elif same and previous is not None and previous.status == "submitting":
                    adopted = await runner.reconcile(ctx)
                    if adopted is not None and not is_job:
                        # A synchronous object the interrupted run created: update it.
                        ctx.previous = _with(previous, remote_id=adopted)
                        base = _with(base, remote_id=adopted)
                        self.on_event(
                            Event(
                                "reconciled",
                                address,
                                spec.name,
                                remote_id=adopted,
                                message=f"found {adopted}, created by an interrupted run",
                            )
                        )
                    elif adopted is not None:
                        remote_id = adopted
                        base = _with(previous, status="pending", remote_id=remote_id)
                        record(base)
                        self.on_event(
                            Event(
                                "reconciled",
                                address,
                                spec.name,
                                remote_id=remote_id,
                                message=f"found job {remote_id}, submitted by an interrupted run",
                            )
                        )
                    elif not (runner.safe_to_resubmit or self.resubmit_uncertain):
                        self._fail(
                            address,
                            spec.name,
                            "an earlier apply was interrupted while submitting this paid "
                            "job, and the API cannot tell whether it was accepted",
                            hint="check the provider's dashboard; to submit it again "
                            "(possibly paying twice) run apply --resubmit-uncertain",
                        )
                        return False
                if remote_id is None:
                    if is_job or getattr(runner, "write_ahead", False):
                        record(_with(base, submitted_at=now_iso()))
                    submitted = await runner.submit(ctx)
                    credits = submitted.credits_used
                    if submitted.outputs is not None:
                        record(
                            _with(
                                base,
                                status="completed",
                                remote_id=submitted.remote_id,
                                outputs=dict(submitted.outputs),
                                credits_used=credits,
                                submitted_at=None,
                                completed_at=now_iso(),
                            )
                        )
                        self._completed(address, spec.name, submitted.remote_id, credits, started)
                        return True
                    remote_id = submitted.remote_id
                    base = _with(
                        base,
                        status="pending",
                        remote_id=remote_id,
                        credits_used=credits,
                        submitted_at=now_iso(),
                    )
                    record(base)
                    self.on_event(
                        Event("submitted", address, spec.name, remote_id=remote_id, credits=credits)
                    )
                assert remote_id is not None
                collected = await runner.collect(ctx, remote_id)
                if collected.credits_used is not None:
                    credits = collected.credits_used
                record(
                    _with(
                        base,
                        status="completed",
                        outputs=dict(collected.outputs),
                        credits_used=credits,
                        completed_at=now_iso(),
                    )
                )
                self._completed(address, spec.name, remote_id, credits, started)
                return True
            except PollTimeout as exc:
                self.result.still_running.append((address, spec.name, remote_id or ""))
                self.on_event(
                    Event(
                        "still-running",
                        address,
                        spec.name,
                        message=exc.message,
                        remote_id=remote_id,
                    )
                )
                return False
            except PossiblySubmittedError as exc:
                # The "submitting" record stays: the next apply reconciles it.
                self._fail(address, spec.name, exc.message, exc.hint)
                return False
            except ContentctlError as exc:
                record(
                    _with(
                        base,
                        status="failed",
                        remote_id=remote_id or base.remote_id,
                        credits_used=None,
                        error=str(exc.message),
                        completed_at=now_iso(),
                    )
                )
                self._fail(
                    address,
                    spec.name,
                    str(exc) if hasattr(exc, "provider") else exc.message,
                    await self._explain(exc),
                )
                return False

    async def _explain(self, exc: ContentctlError) -> str | None:
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

    def _known_ids(self, step: str) -> list[str]:
        return [
            r.steps[step].remote_id or ""
            for r in self.writer.current.resources.values()
            if step in r.steps
        ]

    def _completed(
        self, address: str, step: str, remote_id: str | None, credits: float | None, started: float
    ) -> None:
        self.result.steps_run += 1
        self.result.credits_used += credits or 0
        by_resource = self.result.credits_by_resource
        by_resource[address] = by_resource.get(address, 0) + (credits or 0)
        self.on_event(
            Event(
                "completed",
                address,
                step,
                remote_id=remote_id,
                credits=credits,
                elapsed=time.monotonic() - started,
            )
        )

    def _fail(self, address: str, step: str | None, message: str, hint: str | None = None) -> None:
        self._failed.add(address)
        self.result.failures.append(Failure(address, step, message, hint))
        self.on_event(Event("failed", address, step, message=message))


def _with(record: StepRecord, **changes: object) -> StepRecord:
    return replace(record, **changes)  # type: ignore[arg-type]

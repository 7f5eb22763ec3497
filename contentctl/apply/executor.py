"""The executor: runs the planned steps in dependency order with bounded parallelism.

Each resource's steps run as a :class:`~contentctl.apply.chain.Chain`, each step as an
:class:`~contentctl.apply.attempt.Attempt`, which keeps the write-ahead discipline.
Stopping (a signal, or Ctrl-C) comes in two degrees: ``stop()`` sends nothing new, lets
requests already in flight get their answer and be recorded, and leaves running jobs
recorded as pending; ``stop(at_once=True)`` also abandons the requests in flight, whose
steps stay "submitting" for the next apply to reconcile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping

from contentctl.apply.chain import Chain
from contentctl.apply.outcomes import Outcomes, message_of
from contentctl.apply.results import ApplyResult, Event
from contentctl.checkpoint import Checkpoint
from contentctl.config import Polling, Project
from contentctl.errors import ContentctlError
from contentctl.graph import Graph
from contentctl.kinds import KINDS
from contentctl.lockfile.writer import LockfileWriter
from contentctl.plan.diff import Plan, ResourceChange
from contentctl.providers import Providers
from contentctl.providers.polling import JobDurations
from contentctl.providers.timing import Sleep


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
        self.outcomes = Outcomes(on_event)
        self.sleep = sleep
        self.resubmit_uncertain = resubmit_uncertain
        self.source_commit = source_commit
        self.checkpoint = checkpoint
        self.semaphore = asyncio.Semaphore(parallelism)
        self.stopping = False
        # Tasks whose step is recorded "submitting" and awaits the API's answer to it.
        self.open_requests: set[asyncio.Task[object] | None] = set()
        self.done: dict[str, asyncio.Event] = {}  # by address: its chain has ended
        self.durations = JobDurations()  # where each kind of job is polled first
        self._tasks: list[asyncio.Task[None]] = []

    def stop(self, *, at_once: bool = False) -> None:
        """Send nothing new; with ``at_once``, abandon requests in flight too."""
        self.stopping = True
        self.outcomes.result.interrupted = True
        for task in self._tasks:
            if at_once or task not in self.open_requests:
                task.cancel()

    async def run(self) -> ApplyResult:
        for change in self.plan.changes:
            if change.moved_from and change.moved_from in self.writer.current.resources:
                self.writer.rename(change.moved_from, change.address)
                message = f"moved from {change.moved_from}; no API call"
                self.outcomes.emit("moved", change.address, message=message)
        changes = [c for c in self.plan.changes if c.action not in ("forget", "delete")]
        self.done = {c.address: asyncio.Event() for c in changes}
        await self._all(Chain(self, c).run() for c in changes)
        await self._all(self._delete(c) for c in self.plan.changes if c.action == "delete")
        for change in self.plan.changes:
            if self.stopping:
                break
            if change.action == "forget" and not change.blocked:
                self.writer.forget(change.address)
                message = change.warning or "no longer managed (spec.removed)"
                self.outcomes.emit("forgotten", change.address, message=message)
        return self.outcomes.result

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
            self.outcomes.fail(address, None, change.blocked)
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
                self.outcomes.fail(address, "delete", message_of(exc))
                return
        self.writer.forget(address)
        self.outcomes.result.steps_run += 1
        message = "already gone remotely; no longer tracked" if gone else "deleted"
        self.outcomes.emit("deleted", address, "delete", remote_id=remote_id, message=message)

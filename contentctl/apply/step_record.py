"""The lockfile record of one step as its attempt turns it, and the HTTP layer's send guard.

Write-ahead discipline, so a crash never loses a paid job: the step is recorded
``submitting`` immediately before a creating request's bytes go out (a :class:`StepRecorder`
is the :class:`~contentctl.providers.send_guard.SendGuard` of its attempt), never during the
waits around it; the job id is recorded ``pending`` the moment the API answers; only then
does polling start. A definite refusal puts the record back as it was: nothing was sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from contentctl.errors import NotSentError
from contentctl.kinds import KINDS
from contentctl.lockfile.records import StepRecord
from contentctl.model import Resource
from contentctl.plan.diff import lifecycle
from contentctl.plan.steps import StepSpec

if TYPE_CHECKING:
    from contentctl.apply.executor import Executor

PROVIDER_NAMES = {"powerpost": "PowerPost", "postnitro": "PostNitro"}


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class StepRecorder:
    """Writes each turn of one step's record; told about each creating request it sends."""

    def __init__(
        self,
        executor: Executor,
        resource: Resource,
        spec: StepSpec,
        before: StepRecord | None,
        base: StepRecord,
    ) -> None:
        self.executor = executor
        self.resource = resource
        self.spec = spec
        self.before = before  # the record as the attempt found it
        self.base = base  # what the outcome records are built from
        # When the step's work began: its first request leaving, or the collection of a job
        # submitted earlier; never the waits before (a rate-limit pause, a checkpoint push).
        self.started = executor.clock()
        self.marked = False  # recorded "submitting" for a request of this attempt
        self.accepted = 0  # requests of this attempt the API accepted

    def pending(self, record: StepRecord) -> None:
        """A job the API accepted: from now on it is collected, by this apply or a later one."""
        self.base = record
        self.write(record)

    def completed(self, outputs: dict[str, Any], credits: float | None, **also: Any) -> None:
        record = replace(self.base, status="completed", outputs=outputs, credits_used=credits)
        self.write(replace(record, completed_at=now_iso(), **also))

    def failed(self, error: str) -> None:
        record = replace(self.base, status="failed", credits_used=None, error=error)
        self.write(replace(record, completed_at=now_iso()))

    # The send guard.

    async def sending(self) -> None:
        if self.marked:
            return
        executor = self.executor
        if executor.stopping:
            raise NotSentError("not sent: apply is stopping")
        # Raises when the record cannot be written: then the request is not sent.
        self.write(replace(self.base, status="submitting", submitted_at=now_iso()), strict=True)
        self.marked = True
        executor.open_requests.add(_task())
        if executor.checkpoint is not None:
            try:
                await executor.checkpoint.durable()  # the record reaches the remote first
            except asyncio.CancelledError:
                self.refused()  # stopped at once while pushing: nothing was sent
                raise
            if executor.stopping:
                self.refused()
                raise NotSentError("not sent: apply is stopping")
        self.started = executor.clock()  # the request leaves now

    def refused(self) -> None:
        if self.marked and not self.accepted:
            self.write(self.before)  # as it was: the API did nothing
            self.marked = False
            self.executor.open_requests.discard(_task())

    def landed(self) -> None:
        self.accepted += 1

    def unknown(self) -> None:
        """The record stays "submitting": the next apply reconciles it."""

    def close(self) -> None:
        """The attempt sends nothing more."""
        self.executor.open_requests.discard(_task())

    # Writing.

    def write(self, record: StepRecord | None, *, strict: bool = False) -> None:
        executor = self.executor
        source = {"file": self.resource.source_file}
        if executor.source_commit:
            source["commit"] = executor.source_commit
        superseded, reason = self._superseded()
        executor.writer.record_step(
            self.resource.address,
            self.resource.kind,
            KINDS[self.resource.kind].provider,
            source,
            self.spec.name,
            record,
            prevent_destroy=bool(lifecycle(self.resource).get("prevent_destroy", False)),
            strict=strict,
            superseded=superseded,
            reason=reason,
        )
        if executor.checkpoint is not None and self.marked and record is not None:
            executor.checkpoint.soon()  # the job id (or the outcome) reaches the remote promptly

    def _superseded(self) -> tuple[StepRecord | None, str]:
        """The object this step made before, which its new one replaces and the API cannot
        delete: from the first write of this attempt on, it is an orphan, never lost."""
        before = self.before
        if not (self.spec.leaves_behind and before and before.status == "completed"):
            return None, ""
        api = PROVIDER_NAMES[self.spec.provider]
        published = self.executor.writer.current.step(self.resource.address, "publish")
        if published is not None and published.status == "completed":
            return before, f"published post replaced by an update; it stays published in {api}"
        return before, (
            f"{self.spec.leaves_behind} replaced by an update; {api} has no way to delete it "
            f"through its API: delete it in {api}"
        )


def _task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # pragma: no cover - always called inside the event loop
        return None

"""One step of one resource, run once: resume, reconcile or submit, then collect.

Write-ahead discipline, so a crash never loses a paid job: the step is recorded
``submitting`` immediately before a creating request's bytes go out (this module is the
HTTP layer's :class:`~contentctl.providers.send_guard.SendGuard`), never during the waits around
it; the job id is recorded ``pending`` the moment the API answers; only then does polling
start. A definite refusal puts the record back as it was: nothing was sent.

Only the API saying a job failed makes a step ``failed``. A poll that cannot reach the API,
a timeout, an error while polling: the job stays ``pending`` and is collected later.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from contentctl.apply.runners import Runner, StepContext
from contentctl.errors import (
    ApiError,
    ContentctlError,
    JobFailedError,
    LockfileError,
    NotSentError,
    PollTimeout,
    PossiblySubmittedError,
)
from contentctl.kinds import KINDS
from contentctl.lockfile import StepRecord
from contentctl.model import Resource
from contentctl.plan.diff import lifecycle
from contentctl.plan.steps import StepSpec
from contentctl.providers.send_guard import SEND_GUARD

if TYPE_CHECKING:
    from contentctl.apply.executor import Executor


PROVIDER_NAMES = {"powerpost": "PowerPost", "postnitro": "PostNitro"}


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Attempt:
    """Runs one step and records every turn of it in the lockfile."""

    def __init__(
        self,
        executor: Executor,
        resource: Resource,
        spec: StepSpec,
        runner: Runner,
        ctx: StepContext,
        base: StepRecord,
    ) -> None:
        self.executor = executor
        self.resource = resource
        self.spec = spec
        self.runner = runner
        self.ctx = ctx
        self.before = ctx.previous  # the record as this attempt found it
        self.base = base  # what the outcome records are built from
        # When the step's work began: its first request leaving, or the collection of a job
        # submitted earlier; never the waits before (a rate-limit pause, a checkpoint push).
        self.started = executor.clock()
        self.earlier = False  # collecting a job an earlier apply submitted (and paid for)
        self.marked = False  # recorded "submitting" for a request of this attempt
        self.accepted = 0  # requests of this attempt the API accepted

    @property
    def address(self) -> str:
        return self.resource.address

    async def run(self) -> bool:
        token = SEND_GUARD.set(self)
        try:
            remote_id = await self._start()
        except NotSentError as exc:
            self.executor.not_started(self.address, self.spec.name, exc.message)
            return False
        except PossiblySubmittedError as exc:
            # The "submitting" record stays: the next apply reconciles it.
            self.executor.fail(self.address, self.spec.name, exc.message, exc.hint)
            return False
        except LockfileError as exc:  # the record before the request could not be written
            self.executor.fail(self.address, self.spec.name, f"not sent: {exc.message}", exc.hint)
            return False
        except (ContentctlError, OSError) as exc:
            error = exc if isinstance(exc, ContentctlError) else _local(exc)
            self._record(
                replace(
                    self.base,
                    status="failed",
                    credits_used=None,
                    error=str(error.message),
                    completed_at=now_iso(),
                )
            )
            hint = await self.executor.explain(error)
            self.executor.fail(self.address, self.spec.name, _message(error), hint)
            return False
        finally:
            self._close()
            SEND_GUARD.reset(token)
        if remote_id is None:
            return True  # finished in its request
        if self.executor.stopping:
            self.executor.left_running(self.address, self.spec.name, remote_id, "apply stopped")
            return False
        return await self._collect(remote_id)

    async def _start(self) -> str | None:
        """The job to collect (None: the step finished in its request)."""
        previous = self.before
        same = previous is not None and previous.input_hash == self.base.input_hash
        if same and previous is not None and previous.status == "pending" and previous.remote_id:
            self.base = previous
            self.earlier = True
            self.ctx.durations = None  # a job of unknown age says nothing about durations
            self.executor.emit(
                "resumed",
                self.address,
                self.spec.name,
                remote_id=previous.remote_id,
                message="collecting a job submitted earlier",
            )
            return previous.remote_id
        if same and previous is not None and previous.status == "submitting":
            found = await self._reconcile(previous)
            if found is not None:
                return found
        submitted = await self.runner.submit(self.ctx)
        if submitted.outputs is not None:
            self._record(
                replace(
                    self.base,
                    status="completed",
                    remote_id=submitted.remote_id,
                    outputs=dict(submitted.outputs),
                    credits_used=submitted.credits_used,
                    submitted_at=None,
                    completed_at=now_iso(),
                )
            )
            self.executor.completed(
                self.address, self.spec.name, submitted.remote_id, submitted.credits_used, self
            )
            return None
        assert submitted.remote_id is not None
        self.base = replace(
            self.base,
            status="pending",
            remote_id=submitted.remote_id,
            credits_used=submitted.credits_used,
            submitted_at=now_iso(),
        )
        self._record(self.base)
        self.executor.emit(
            "submitted",
            self.address,
            self.spec.name,
            remote_id=submitted.remote_id,
            credits=submitted.credits_used,
        )
        return submitted.remote_id

    async def _reconcile(self, previous: StepRecord) -> str | None:
        """An earlier submission was interrupted before the API answered: what became of it?

        Returns the job to collect; None to go on and submit (or update what was found).
        """
        try:
            found = await self.runner.reconcile(self.ctx)
        except ContentctlError as exc:
            raise PossiblySubmittedError(
                f"could not check whether an interrupted submission was accepted: {_message(exc)}",
                provider=self.spec.provider,
                hint="run apply again to check again; nothing is sent until it is known",
            ) from exc
        if found.remote_id is not None and self.runner.job:
            self.base = replace(previous, status="pending", remote_id=found.remote_id)
            self.earlier = True
            self.ctx.durations = None
            self._record(self.base)
            self.executor.emit(
                "reconciled",
                self.address,
                self.spec.name,
                remote_id=found.remote_id,
                message=f"found job {found.remote_id}, submitted by an interrupted run",
            )
            return found.remote_id
        if found.remote_id is not None:
            # An object the interrupted run created: update it rather than create another.
            self.ctx.previous = replace(previous, remote_id=found.remote_id)
            self.base = replace(self.base, remote_id=found.remote_id)
            self.executor.emit(
                "reconciled",
                self.address,
                self.spec.name,
                remote_id=found.remote_id,
                message=f"found {found.remote_id}, created by an interrupted run",
            )
            return None
        if found.absent:
            self.executor.emit(
                "reconciled",
                self.address,
                self.spec.name,
                message="an interrupted submission never reached the API; submitting it",
            )
            return None
        if self.runner.paid and not self.executor.resubmit_uncertain:
            raise PossiblySubmittedError(
                "an earlier apply was interrupted while submitting this paid job, and the API "
                "cannot tell whether it was accepted",
                provider=self.spec.provider,
                hint="check the provider's dashboard; to submit it again (possibly paying "
                "twice) run apply --resubmit-uncertain",
            )
        return None

    async def _collect(self, remote_id: str) -> bool:
        try:
            collected = await self.runner.collect(self.ctx, remote_id)
        except JobFailedError as exc:
            self._record(
                replace(
                    self.base,
                    status="failed",
                    remote_id=remote_id,
                    credits_used=None,
                    error=str(exc.message),
                    completed_at=now_iso(),
                )
            )
            self.executor.fail(self.address, self.spec.name, _message(exc), exc.hint)
            return False
        except PollTimeout as exc:
            self.executor.left_running(self.address, self.spec.name, remote_id, exc.message)
            return False
        except ContentctlError as exc:
            # Not reaching the API, or an odd answer, says nothing about the job itself.
            why = f"could not check it ({_message(exc)})"
            self.executor.left_running(self.address, self.spec.name, remote_id, why)
            return False
        except asyncio.CancelledError:
            self.executor.left_running(self.address, self.spec.name, remote_id, "apply stopped")
            raise
        credits = (
            collected.credits_used if collected.credits_used is not None else self.base.credits_used
        )
        outputs = dict(collected.outputs)
        if collected.warnings:
            outputs["warnings"] = list(collected.warnings)
        self._record(
            replace(
                self.base,
                status="completed",
                outputs=outputs,
                credits_used=credits,
                completed_at=now_iso(),
            )
        )
        self.executor.completed(self.address, self.spec.name, remote_id, credits, self)
        for warning in collected.warnings:
            self.executor.warn(self.address, self.spec.name, warning)
        return True

    # The send guard: told about every creating request this attempt makes.

    async def sending(self) -> None:
        if self.marked:
            return
        if self.executor.stopping:
            raise NotSentError("not sent: apply is stopping")
        # Raises when the record cannot be written: then the request is not sent.
        self._record(replace(self.base, status="submitting", submitted_at=now_iso()), strict=True)
        self.marked = True
        self.executor.open_requests.add(_task())
        checkpoint = self.executor.checkpoint
        if checkpoint is not None:
            try:
                await checkpoint.durable()  # the record reaches the remote before the request
            except asyncio.CancelledError:
                self.refused()  # stopped at once while pushing: nothing was sent
                raise
            if self.executor.stopping:
                self.refused()
                raise NotSentError("not sent: apply is stopping")
        self.started = self.executor.clock()  # the request leaves now

    def refused(self) -> None:
        if self.marked and not self.accepted:
            self._record(self.before)  # as it was: the API did nothing
            self.marked = False
            self.executor.open_requests.discard(_task())

    def landed(self) -> None:
        self.accepted += 1

    def unknown(self) -> None:
        """The record stays "submitting": the next apply reconciles it."""

    def _close(self) -> None:
        self.executor.open_requests.discard(_task())

    def _record(self, record: StepRecord | None, *, strict: bool = False) -> None:
        self._write(record, strict=strict)
        checkpoint = self.executor.checkpoint
        if checkpoint is not None and self.marked and record is not None:
            checkpoint.soon()  # the job id (or the outcome) reaches the remote promptly

    def _write(self, record: StepRecord | None, *, strict: bool) -> None:
        source = {"file": self.resource.source_file}
        if self.executor.source_commit:
            source["commit"] = self.executor.source_commit
        superseded, reason = self._superseded()
        self.executor.writer.record_step(
            self.address,
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

    def _superseded(self) -> tuple[StepRecord | None, str]:
        """The object this step made before, which its new one replaces and the API cannot
        delete: from the first write of this attempt on, it is an orphan, never lost."""
        before = self.before
        if not (self.spec.leaves_behind and before and before.status == "completed"):
            return None, ""
        api = PROVIDER_NAMES[self.spec.provider]
        published = self.executor.writer.current.step(self.address, "publish")
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


def _local(exc: OSError) -> ContentctlError:
    """A file the step reads or writes on this machine could not be."""
    where = f" {exc.filename}" if exc.filename else ""
    return ContentctlError(
        f"cannot use{where}: {exc.strerror or exc}",
        hint="free disk space or fix the file's permissions, then run apply again",
    )


def _message(exc: ContentctlError) -> str:
    return str(exc) if isinstance(exc, ApiError) else exc.message

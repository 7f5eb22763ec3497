"""One step of one resource, run once: resume, reconcile or submit, then collect.

Every turn is written to the step's record as it happens (:mod:`~contentctl.apply.step_record`,
which also holds the write-ahead discipline around each creating request).

Only the API saying a job failed makes a step ``failed``. A poll that cannot reach the API,
a timeout, an error while polling: the job stays ``pending`` and is collected later.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from contentctl.apply.outcomes import explain, message_of
from contentctl.apply.results import EventKind
from contentctl.apply.runners import Runner, StepContext
from contentctl.apply.step_record import StepRecorder, now_iso
from contentctl.errors import (
    ContentctlError,
    JobFailedError,
    LockfileError,
    NotSentError,
    PollTimeout,
    PossiblySubmittedError,
)
from contentctl.lockfile.records import StepRecord
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec
from contentctl.providers.send_guard import SEND_GUARD

if TYPE_CHECKING:
    from contentctl.apply.executor import Executor


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
        self.outcomes = executor.outcomes
        self.address = resource.address
        self.spec = spec
        self.runner = runner
        self.ctx = ctx
        self.record = StepRecorder(executor, resource, spec, ctx.previous, base)
        self.earlier = False  # collecting a job an earlier apply submitted (and paid for)

    async def run(self) -> bool:
        token = SEND_GUARD.set(self.record)
        try:
            remote_id = await self._start()
        except NotSentError as exc:
            self.outcomes.not_started(self.address, self.spec.name, exc.message)
            return False
        except PossiblySubmittedError as exc:
            # The "submitting" record stays: the next apply reconciles it.
            self.outcomes.fail(self.address, self.spec.name, exc.message, exc.hint)
            return False
        except LockfileError as exc:  # the record before the request could not be written
            self.outcomes.fail(self.address, self.spec.name, f"not sent: {exc.message}", exc.hint)
            return False
        except (ContentctlError, OSError) as exc:
            await self._fail(exc if isinstance(exc, ContentctlError) else _local(exc))
            return False
        finally:
            self.record.close()
            SEND_GUARD.reset(token)
        if remote_id is None:
            return True  # finished in its request
        if self.executor.stopping:
            self.outcomes.left_running(self.address, self.spec.name, remote_id, "apply stopped")
            return False
        return await self._collect(remote_id)

    async def _start(self) -> str | None:
        """The job to collect (None: the step finished in its request)."""
        previous = self.record.before
        if previous is not None and previous.input_hash == self.record.base.input_hash:
            if previous.status == "pending" and previous.remote_id:
                return self._resume(previous, previous.remote_id)
            if previous.status == "submitting":
                found = await self._reconcile(previous)
                if found is not None:
                    return found
        return await self._submit()

    def _resume(self, previous: StepRecord, remote_id: str) -> str:
        """A job an earlier apply submitted and recorded pending: collect it."""
        self.record.base = previous
        self.earlier = True
        self.ctx.durations = None  # a job of unknown age says nothing about durations
        self._emit("resumed", remote_id, "collecting a job submitted earlier")
        return remote_id

    async def _reconcile(self, previous: StepRecord) -> str | None:
        """An earlier submission was interrupted before the API answered: what became of it?

        Returns the job to collect; None to go on and submit (or update what was found).
        """
        try:
            found = await self.runner.reconcile(self.ctx)
        except ContentctlError as exc:
            raise PossiblySubmittedError(
                "could not check whether an interrupted submission was accepted: "
                f"{message_of(exc)}",
                provider=self.spec.provider,
                hint="run apply again to check again; nothing is sent until it is known",
            ) from exc
        remote_id = found.remote_id
        if remote_id is not None and self.runner.job:
            self.record.pending(replace(previous, status="pending", remote_id=remote_id))
            self.earlier = True
            self.ctx.durations = None
            message = f"found job {remote_id}, submitted by an interrupted run"
            self._emit("reconciled", remote_id, message)
            return remote_id
        if remote_id is not None:
            # An object the interrupted run created: update it rather than create another.
            self.ctx.previous = replace(previous, remote_id=remote_id)
            self.record.base = replace(self.record.base, remote_id=remote_id)
            message = f"found {remote_id}, created by an interrupted run"
            self._emit("reconciled", remote_id, message)
        elif found.absent:
            message = "an interrupted submission never reached the API; submitting it"
            self._emit("reconciled", None, message)
        elif self.runner.paid and not self.executor.resubmit_uncertain:
            raise PossiblySubmittedError(
                "an earlier apply was interrupted while submitting this paid job, and the API "
                "cannot tell whether it was accepted",
                provider=self.spec.provider,
                hint="check the provider's dashboard; to submit it again (possibly paying "
                "twice) run apply --resubmit-uncertain",
            )
        return None

    async def _submit(self) -> str | None:
        """Send the step's request: the job to collect, or None when it finished in it."""
        submitted = await self.runner.submit(self.ctx)
        self.ctx.answered_at = self.ctx.clock()
        remote_id, credits = submitted.remote_id, submitted.credits_used
        if submitted.outputs is not None:
            outputs = dict(submitted.outputs)
            self.record.completed(outputs, credits, remote_id=remote_id, submitted_at=None)
            self._completed(remote_id, credits)
            return None
        assert remote_id is not None
        self.record.pending(
            replace(
                self.record.base,
                status="pending",
                remote_id=remote_id,
                credits_used=credits,
                submitted_at=now_iso(),
            )
        )
        self.outcomes.emit(
            "submitted", self.address, self.spec.name, remote_id=remote_id, credits=credits
        )
        return remote_id

    async def _collect(self, remote_id: str) -> bool:
        """Poll the job to its end, and record how it ended."""
        step = self.spec.name
        try:
            collected = await self.runner.collect(self.ctx, remote_id)
        except JobFailedError as exc:
            self.record.failed(str(exc.message))
            self.outcomes.fail(self.address, step, message_of(exc), exc.hint)
            return False
        except PollTimeout as exc:
            self.outcomes.left_running(self.address, step, remote_id, exc.message)
            return False
        except ContentctlError as exc:
            # Not reaching the API, or an odd answer, says nothing about the job itself.
            why = f"could not check it ({message_of(exc)})"
            self.outcomes.left_running(self.address, step, remote_id, why)
            return False
        except asyncio.CancelledError:
            self.outcomes.left_running(self.address, step, remote_id, "apply stopped")
            raise
        credits = collected.credits_used
        if credits is None:
            credits = self.record.base.credits_used
        outputs = dict(collected.outputs)
        if collected.warnings:
            outputs["warnings"] = list(collected.warnings)
        self.record.completed(outputs, credits)
        self._completed(remote_id, credits)
        for warning in collected.warnings:
            self.outcomes.warn(self.address, step, warning)
        return True

    async def _fail(self, error: ContentctlError) -> None:
        """The API refused the step, or a local file failed it: recorded failed, with a hint."""
        self.record.failed(str(error.message))
        executor = self.executor
        hint = await explain(error, executor.providers, executor.plan.credits)
        self.outcomes.fail(self.address, self.spec.name, message_of(error), hint)

    def _completed(self, remote_id: str | None, credits: float | None) -> None:
        elapsed = self.executor.clock() - self.record.started
        self.outcomes.completed(
            self.address, self.spec.name, remote_id, credits, elapsed=elapsed, earlier=self.earlier
        )

    def _emit(self, kind: EventKind, remote_id: str | None, message: str) -> None:
        self.outcomes.emit(kind, self.address, self.spec.name, remote_id=remote_id, message=message)


def _local(exc: OSError) -> ContentctlError:
    """A file the step reads or writes on this machine could not be."""
    where = f" {exc.filename}" if exc.filename else ""
    return ContentctlError(
        f"cannot use{where}: {exc.strerror or exc}",
        hint="free disk space or fix the file's permissions, then run apply again",
    )

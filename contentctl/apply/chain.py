"""One resource's chain of steps, run in order once the resources it uses are done.

A step runs as an :class:`~contentctl.apply.attempt.Attempt` when its inputs, with the
results of the steps it uses, are known: a step whose inputs came back the same is kept.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from contentctl.apply.attempt import Attempt
from contentctl.apply.runners import StepContext
from contentctl.kinds import KINDS, steps_for
from contentctl.lockfile.records import StepRecord
from contentctl.model import Resource
from contentctl.plan.diff import ResourceChange, StepChange
from contentctl.plan.steps import REPLACING_HASH, StepSpec, input_hash

if TYPE_CHECKING:
    from contentctl.apply.executor import Executor

# Steps whose record outlives the step leaving the chain: publishing cannot be undone.
DURABLE_STEPS = frozenset({"publish"})


class Chain:
    """The planned steps of one resource."""

    def __init__(self, executor: Executor, change: ResourceChange) -> None:
        self.executor = executor
        self.outcomes = executor.outcomes
        self.change = change
        self.address = change.address

    async def run(self) -> None:
        executor, address = self.executor, self.address
        try:
            if await self._ready():
                await self._steps(executor.graph.resources[address])
        except asyncio.CancelledError:
            self.outcomes.failed.add(address)
            result = self.outcomes.result
            if address not in result.not_started and not any(
                r.address == address for r in result.still_running
            ):
                self.outcomes.not_started(address, None, "apply stopped before it")
        finally:
            executor.done[address].set()

    async def _ready(self) -> bool:
        """Wait for the resources this one uses; False when one failed, or it is blocked."""
        change, address, graph = self.change, self.address, self.executor.graph
        for dependency in graph.dependencies(address):
            if dependency in self.executor.done:
                await self.executor.done[dependency].wait()
        failed = [d for d in graph.dependencies(address) if d in self.outcomes.failed]
        if failed:
            self.outcomes.failed.add(address)
            if change.running:
                self.outcomes.result.skipped.append(address)
                message = f"not attempted: {', '.join(failed)} failed"
                self.outcomes.emit("skipped", address, message=message)
            return False
        if change.blocked:
            self.outcomes.fail(address, None, change.blocked)
            return False
        return True

    async def _steps(self, resource: Resource) -> None:
        executor, change, address = self.executor, self.change, self.address
        chain = steps_for(resource, executor.project.root)
        planned = {s.name: s for s in change.steps}
        replacing = change.action == "replace"
        if replacing and not executor.stopping:
            # Recorded before the first request: interrupted, the next apply finishes
            # the replace instead of keeping the results it had not regenerated yet.
            redone = {s.name for s in change.steps if s.action == "run"}
            executor.writer.mark_replacing(address, redone, REPLACING_HASH)
        for spec in chain:
            step = planned.get(spec.name)
            if step is None or step.action == "keep":
                continue
            if executor.stopping:
                self.outcomes.not_started(address, spec.name, "apply stopped before it")
                return
            if not await self._step(resource, spec, step, replacing):
                self.outcomes.failed.add(address)
                return
        executor.writer.retain_steps(address, {s.name for s in chain} | DURABLE_STEPS)

    async def _step(
        self, resource: Resource, spec: StepSpec, change: StepChange, replacing: bool
    ) -> bool:
        executor, address = self.executor, self.address
        upstream: dict[str, StepRecord] = {}
        for up in spec.upstream:
            found = executor.writer.current.step(up.address, up.step)
            if found is None or found.status != "completed":
                self.outcomes.fail(address, spec.name, f"{up.address} {up.step} has not completed")
                return False
            upstream[up.key] = found
        new_hash = input_hash(spec, upstream)
        previous = executor.writer.current.step(address, spec.name)
        if (
            change.after is not None
            and not replacing
            and previous is not None
            and previous.status == "completed"
            and previous.input_hash == new_hash
        ):
            # The plan could not know the upstream result; it came back the same.
            self.outcomes.emit(
                "unchanged", address, spec.name, message="inputs came back unchanged"
            )
            return True
        runner = KINDS[resource.kind].runner(spec.name)
        ctx = self._context(resource, spec, upstream, new_hash, previous, replacing)
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
        async with executor.semaphore:
            if executor.stopping:
                self.outcomes.not_started(address, spec.name, "apply stopped before it")
                return False
            return await Attempt(executor, resource, spec, runner, ctx, base).run()

    def _context(
        self,
        resource: Resource,
        spec: StepSpec,
        upstream: dict[str, StepRecord],
        new_hash: str,
        previous: StepRecord | None,
        replacing: bool,
    ) -> StepContext:
        """What the step's runner is given: the lockfile as it stands when the step starts."""
        executor = self.executor
        return StepContext(
            executor.project,
            resource,
            spec,
            upstream,
            executor.providers,
            request_ref=f"contentctl:{self.address}:{new_hash[7:23]}",
            polling=executor.polling,
            sleep=executor.sleep,
            lockfile=executor.writer.current,
            previous=previous,
            replacing=replacing,
            known_ids=executor.writer.remote_ids(spec.name),
            durations=executor.durations,
            clock=executor.clock,
        )

"""Running an approved plan: the executor's requests, with the progress view, a Ctrl-C or
SIGTERM that stops cleanly (a second one at once), and contentctl.lock kept up to date.

Signals are counted, not raised (see contentctl.interrupts): what is in flight is recorded
whatever happens, and the caller still flushes, commits and pushes the lockfile after it."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from contentctl.apply.executor import Executor
from contentctl.apply.options import RunOptions
from contentctl.apply.prepare import Prepared, Reach, prepare
from contentctl.apply.results import ApplyResult, Event
from contentctl.errors import ContentctlError
from contentctl.providers import open_providers

if TYPE_CHECKING:
    from contentctl.checkpoint import Checkpoint
    from contentctl.console import Console
    from contentctl.interrupts import Interrupts
    from contentctl.lockfile.writer import LockfileWriter
    from contentctl.plan.project import Planned
    from contentctl.providers.powerpost import PowerPost

BALANCE_WAIT = 5.0  # seconds an apply waits for the PowerPost balance it prints


class View(Protocol):
    """The apply's progress as its events come (see contentctl.report.progress)."""

    def event(self, event: Event) -> None: ...

    async def run(self) -> None: ...


@dataclass(frozen=True)
class Ran:
    result: ApplyResult
    writer: LockfileWriter
    checkpoints: Checkpoint | None


def run(
    reach: Reach,
    planned: Planned,
    options: RunOptions,
    interrupts: Interrupts,
    view: View,
    console: Console,
) -> Ran:
    """Run the plan under the lease the caller holds."""
    ready = prepare(reach, planned, console, checkpoint=options.checkpoint)
    console.say("")
    result = asyncio.run(_execute(reach, planned, ready, options, interrupts, view, console))
    return Ran(result, ready.writer, ready.checkpoints)


async def _execute(
    reach: Reach,
    planned: Planned,
    ready: Prepared,
    options: RunOptions,
    interrupts: Interrupts,
    view: View,
    console: Console,
) -> ApplyResult:
    project = planned.project
    transport = reach.transport(project)
    async with open_providers(project, ready.environ, ready.needed, transport=transport) as apis:
        executor = Executor(
            project,
            planned.manifests.graph,
            planned.plan,
            ready.writer,
            apis,
            parallelism=options.parallelism or project.parallelism,
            polling=reach.polling(project, options.no_wait),
            on_event=view.event,
            resubmit_uncertain=options.resubmit_uncertain,
            source_commit=ready.commit,
            checkpoint=ready.checkpoints,
        )
        _stop_on_signals(executor, interrupts, console)
        if apis.powerpost is not None and not executor.stopping:
            await _balance(apis.powerpost, console)
        ticker = asyncio.create_task(view.run())
        compactor = asyncio.create_task(_compact_when_quiet(ready.writer))
        try:
            return await executor.run()
        finally:
            interrupts.on_signal = None
            ticker.cancel()
            compactor.cancel()


def _stop_on_signals(executor: Executor, interrupts: Interrupts, console: Console) -> None:
    """The first signal stops the executor cleanly, a second one at once."""
    loop = asyncio.get_running_loop()

    def stop(count: int) -> None:
        if count == 1:
            console.warn(
                "\nStopping: nothing new is sent; requests in flight get their answer "
                "and are recorded; jobs running remotely stay recorded. Interrupt again "
                "to stop at once."
            )
        else:
            console.warn("\nStopping at once.")
        executor.stop(at_once=count > 1)

    def heard(count: int) -> None:
        loop.call_soon_threadsafe(stop, count)

    interrupts.on_signal = heard
    if interrupts.count:
        stop(interrupts.count)


async def _balance(powerpost: PowerPost, console: Console) -> None:
    # Informational: never worth waiting out a rate limit or an outage for.
    # asyncio.TimeoutError: the builtin TimeoutError only from Python 3.11 on.
    with contextlib.suppress(ContentctlError, asyncio.TimeoutError):
        balance = await asyncio.wait_for(powerpost.credits(), BALANCE_WAIT)
        console.say(f"PowerPost balance: {balance:g} credits.")


async def _compact_when_quiet(writer: LockfileWriter) -> None:
    """While jobs run, keep contentctl.lock itself up to date once the apply goes quiet."""
    while True:
        await asyncio.sleep(writer.QUIET_SECONDS / 4)
        writer.compact_if_quiet()

"""Polling an asynchronous job to its end: when to look first, and how often after."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from contentctl.config import Polling
from contentctl.errors import PollTimeout
from contentctl.providers.timing import Clock, Sleep

T = TypeVar("T")


class JobDurations:
    """How long each kind of job takes, as one apply sees them: where its first poll goes.

    The first job of a kind is looked at after half the documented wait (``initial_delay``).
    A job found done at its first poll moves the next first poll of its kind earlier: 2%,
    then twice as much after each further one in a row (at most by half), so that jobs that
    got faster are followed in a few jobs; one found still running moves it to where that job
    finished (between its last two polls).
    A job not done at its first poll is looked at again after a short step (a hundredth of
    the time waited so far, at least 0.01 s) that grows fourfold up to ``interval``, then by
    ``backoff`` up to ``max_interval``. A job still running at its first poll is most often
    within a few percent of its end: a longer first step would hold its slot idle.
    Jobs of one kind take about as long as each other, so most are polled once or twice,
    each soon after it finished, instead of a fixed wait that holds a slot long after a
    short job is done.
    """

    EARLIER = 0.02  # the first step earlier; doubles with each job in a row done by then
    SHORTEST = 0.05  # seconds: never a first poll sooner than this
    FIRST_STEP = 0.01

    def __init__(self) -> None:
        self._first: dict[str, float] = {}
        self._in_a_row: dict[str, int] = {}  # jobs done at their first poll, in a row

    def first(self, kind: str, polling: Polling) -> float:
        """Seconds after a submission to look at its job first."""
        return self._first.get(kind, polling.initial_delay / 2)

    def finished(self, kind: str, waited: float, running_at: float | None, done_at: float) -> None:
        """A job was seen done ``done_at`` seconds after its submission; ``waited``: its
        first poll's delay; ``running_at``: when it was last seen running (None: never)."""
        current = self._first.get(kind)
        if running_at is None:
            # Only a job that waited the current estimate moves it (of a wave of jobs
            # polled at once, the first one does).
            if current is None or waited <= current:
                row = self._in_a_row.get(kind, 0)
                earlier = min(0.5, self.EARLIER * 2**row)
                self._first[kind] = max(self.SHORTEST, waited * (1 - earlier))
                self._in_a_row[kind] = row + 1
        else:
            self._first[kind] = max(current or 0.0, (running_at + done_at) / 2)
            self._in_a_row[kind] = 0


async def poll(
    fetch: Callable[[], Awaitable[T]],
    finished: Callable[[T], bool],
    polling: Polling,
    *,
    provider: str,
    what: str,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.monotonic,
    durations: JobDurations | None = None,
    kind: str = "",
    since: float | None = None,
) -> T:
    """Call ``fetch`` until ``finished`` says so. With ``durations``: first when a job of
    ``kind`` is expected done, counted from ``since`` (when its submission was answered, by
    ``clock``; default now), then in short growing steps (see :class:`JobDurations`);
    without: initial delay, then a growing interval."""
    if durations is not None:
        started = clock() if since is None else min(since, clock())
        return await _adaptive(
            fetch, finished, polling, durations, kind, provider, what, sleep, clock, started
        )
    deadline = clock() + polling.timeout
    await sleep(polling.initial_delay)
    interval = polling.interval
    while True:
        result = await fetch()
        if finished(result):
            return result
        if clock() + interval > deadline:
            raise _timeout(what, polling, provider)
        await sleep(interval)
        interval = min(polling.max_interval, interval * polling.backoff)


async def _adaptive(
    fetch: Callable[[], Awaitable[T]],
    finished: Callable[[T], bool],
    polling: Polling,
    durations: JobDurations,
    kind: str,
    provider: str,
    what: str,
    sleep: Sleep,
    clock: Clock,
    started: float,
) -> T:
    waited = min(durations.first(kind, polling), polling.timeout)
    # What the apply spent since the answer (recording it, others' answers) is part of it.
    await sleep(max(0.0, waited - (clock() - started)))
    running_at: float | None = None
    step = 0.0
    while True:
        sent = clock() - started
        result = await fetch()
        if finished(result):
            durations.finished(kind, waited, running_at, clock() - started)
            return result
        running_at = sent
        if not step:
            step = max(durations.FIRST_STEP, sent / 100)
        elif step < polling.interval:
            step = min(step * 4, polling.interval)
        else:  # past the documented interval: the fixed schedule's backoff
            step = min(step * polling.backoff, polling.max_interval)
        if clock() - started + step > polling.timeout:
            raise _timeout(what, polling, provider)
        await sleep(step)


def _timeout(what: str, polling: Polling, provider: str) -> PollTimeout:
    return PollTimeout(
        f"{what} still running after {polling.timeout:.0f}s",
        provider=provider,
        hint="it stays recorded as pending: run apply again to collect it",
    )

"""Retries within one time budget, because every paid call costs the user money.

What may be sent again (decided as failures are read, in :mod:`contentctl.providers.http`):
- 429: the API refused the request and nothing happened; sent again after ``retryAfter``.
  Any other 4xx is a refusal too, and is not sent again: it would be refused again.
- Connection never established: nothing was sent, safe to retry.
- A 5xx carrying the API's own error envelope is the API saying "failed, retry later".
- Anything else after a POST went out (a timeout, a dropped connection, a gateway's 502 or
  504 without the envelope) is ambiguous: the job may exist. Never sent again; raised as
  :class:`~contentctl.errors.PossiblySubmittedError` so the caller can reconcile.

When: exponential backoff with full jitter (or the wait a 429 asked for), at most
``attempts`` sends, and no wait that would end past ``give_up_after`` seconds after the first.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from contentctl.config import Retries
from contentctl.errors import ApiError
from contentctl.providers.timing import Clock, Sleep

log = logging.getLogger("contentctl.http")

T = TypeVar("T")


class Retry(Exception):
    """Raised by a lower layer: ``error`` happened, and sending the request again is safe.

    ``wait``: how long the API asked for (a 429), ``source`` saying where; None: back off.
    """

    def __init__(self, error: ApiError, wait: float | None = None, source: str = "") -> None:
        super().__init__(error.message)
        self.error = error
        self.wait = wait
        self.source = source


class RetryBudget:
    """The sends of one request so far, and the time they may still take."""

    def __init__(self, settings: Retries, clock: Clock, rng: random.Random) -> None:
        self.settings = settings
        self.clock = clock
        self.rng = rng
        self.first = clock()
        self.attempt = 0

    def backoff(self) -> float:
        """Exponential backoff with full jitter."""
        s = self.settings
        ceiling = min(s.max_delay, s.base_delay * (2 ** (self.attempt - 1)))
        return self.rng.uniform(0, ceiling)

    def allows(self, wait: float) -> bool:
        """Another send after ``wait`` seconds is within the attempts and the time budget."""
        within = self.clock() - self.first + wait <= self.settings.give_up_after
        return self.attempt < self.settings.attempts and within


async def retrying(
    send: Callable[[], Awaitable[T]],
    budget: RetryBudget,
    sleep: Sleep,
    provider: str,
    request: str,
) -> T:
    """``send`` again after each :class:`Retry` it raises, until the budget is spent; then
    the last error is raised."""
    while True:
        budget.attempt += 1
        try:
            return await send()
        except Retry as retry:
            wait = budget.backoff() if retry.wait is None else retry.wait
            if not budget.allows(wait):
                raise retry.error from retry.__cause__
            _say(provider, request, retry, wait, budget.attempt)
            await sleep(wait)


def _say(provider: str, request: str, retry: Retry, wait: float, attempt: int) -> None:
    status = retry.error.status
    if retry.wait is not None:
        log.debug("%s: rate limited on %s; waiting %gs (%s)", provider, request, wait, retry.source)
    elif status is not None:
        log.debug("%s: HTTP %s on %s; retry %d in %.2fs", provider, status, request, attempt, wait)

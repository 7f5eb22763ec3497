"""Rate limits: slow down before the limit, and wait as long as a 429 asks."""

from __future__ import annotations

import logging

import httpx

from contentctl.config import Retries
from contentctl.errors import ApiError
from contentctl.providers.timing import Clock, Sleep

log = logging.getLogger("contentctl.http")


class Pacing:
    """One provider's rate-limit window, as its answers report it."""

    def __init__(self, provider: str, settings: Retries, clock: Clock, sleep: Sleep) -> None:
        self.provider = provider
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self.paused_until = 0.0

    async def wait(self) -> None:
        """Before a request: with nothing left in the window, wait for it to reset."""
        wait = self.paused_until - self.clock()
        if wait > 0:
            log.debug("%s: no requests left in this window; waiting %.1fs", self.provider, wait)
            await self.sleep(wait)

    def note(self, response: httpx.Response) -> None:
        """After an answer: remember when the window resets if it has nothing left."""
        remaining = response.headers.get("x-ratelimit-remaining")
        reset = response.headers.get("x-ratelimit-reset")
        if remaining == "0" and reset and reset.isdigit():
            latest = self.clock() + self.settings.max_rate_limit_wait
            self.paused_until = max(self.paused_until, min(float(reset), latest))

    def rate_limit_wait(self, response: httpx.Response, error: ApiError) -> tuple[float, str]:
        """How long a 429 asks us to wait, and which part of the answer said so."""
        header = response.headers.get("retry-after", "")
        reset = response.headers.get("x-ratelimit-reset", "")
        if error.retry_after is not None:
            wait, source = error.retry_after, "retryAfter"
        elif header.replace(".", "", 1).isdigit():
            wait, source = float(header), "Retry-After"
        elif reset.isdigit():
            wait, source = max(0.0, int(reset) - self.clock()), "X-RateLimit-Reset"
        else:
            wait, source = self.settings.base_delay * 4, "default"
        return min(wait, self.settings.max_rate_limit_wait), source

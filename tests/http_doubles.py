"""Doubles for the HTTP layer's tests: a clock whose sleep only moves time, and a PowerPost
client over httpx.MockTransport that sleeps on it."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx

from contentctl.providers.http import Http
from contentctl.providers.powerpost import PowerPost
from contentctl.providers.powerpost import map_error as powerpost_error


class Clock:
    """A fake clock whose sleep only moves time forward."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def powerpost(handler: Callable[[httpx.Request], httpx.Response], clock: Clock) -> PowerPost:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    http = Http(
        "powerpost",
        client,
        "https://powerpost.test/api/v1",
        {"x-api-key": "pp_live_sk_test"},
        powerpost_error,
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(1),
    )
    return PowerPost(http, "ws_1")

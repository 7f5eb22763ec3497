"""How the providers wait and tell the time: passed in, so tests run on a fake clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

"""SIGINT and SIGTERM during an apply: counted, and acted on at safe points only.

The default handlers raise (or kill) wherever the program happens to be, which can be
between the API accepting a paid job and the lockfile recording it. Instead, while an
apply runs, a signal is counted and handed to a callback that runs in the event loop: the
first one stops new submissions, the second stops at once. GitHub cancels a job with
SIGINT, then SIGTERM 7.5 s later, then SIGKILL 2.5 s after that: the first signal leaves
time to record, commit and push.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """Counts SIGINT/SIGTERM while entered; ``on_signal(count)`` hears each one."""

    def __init__(self) -> None:
        self.count = 0
        self.on_signal: Callable[[int], None] | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for number in SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        callback = self.on_signal
        if callback is not None:
            callback(self.count)

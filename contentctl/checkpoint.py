"""Checkpoints: the lockfile on the remote before any creating request goes out.

A CI runner that dies outright (SIGKILL without grace, a lost machine) takes its disk and
its lockfile with it; the next runner clones the branch and knows nothing of the jobs the
dead one paid for. So an apply that pushes (``apply --commit --push``) also pushes its
lockfile to ``refs/contentctl/checkpoint/<branch>`` whenever a step is about to send a
creating request, and waits for that push before sending. Steps that become ready while a
push is under way share the next one, so the cost is one push per wave of submissions, not
one per request. Job ids are pushed soon after they arrive, without holding anything up.

The next apply that pushes adopts the checkpoint (its records merged into the branch's
lockfile), collects what was pending and reconciles what was being submitted; once the
branch has everything, the checkpoint is deleted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from contentctl.errors import ContentctlError
from contentctl.lockfile.writer import LockfileWriter

Push = Callable[[str], None]  # pushes a lockfile's text; raises ContentctlError


class Checkpoint:
    def __init__(self, writer: LockfileWriter, push: Push) -> None:
        self.writer = writer
        self._push = push
        self._pushed = -1  # the serial the remote has
        self._running: asyncio.Task[None] | None = None
        self.failed: str | None = None  # why checkpoints stopped: the apply goes on without
        self.pushes = 0

    async def durable(self) -> None:
        """Return once the remote has the lockfile as it is now (or checkpoints failed)."""
        wanted = self.writer.current.serial
        while self._pushed < wanted and self.failed is None:
            if self._running is None:
                self._running = asyncio.ensure_future(self._push_now())
            await asyncio.shield(self._running)

    def soon(self) -> None:
        """Push what is new (job ids) in the background."""
        if (
            self._running is None
            and self.failed is None
            and self._pushed < self.writer.current.serial
        ):
            self._running = asyncio.ensure_future(self._push_now())

    async def settle(self) -> None:
        """Let a push under way finish, then push what is left."""
        if self._running is not None:
            await asyncio.shield(self._running)
        await self.durable()

    async def _push_now(self) -> None:
        try:
            serial = self.writer.current.serial
            text = self.writer.text()
            await asyncio.to_thread(self._push, text)
            self._pushed = max(self._pushed, serial)
            self.pushes += 1
        except ContentctlError as exc:
            self.failed = exc.message
        finally:
            self._running = None

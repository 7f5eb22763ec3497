"""Apply progress. On a terminal: a live view of the steps in flight (submitted, polling with
elapsed time) and counts of the rest, redrawn in place. Elsewhere (CI): one plain line per
event, no cursor movement, no control characters."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from contentctl.report import text

if TYPE_CHECKING:
    from contentctl.apply import Event
    from contentctl.plan import Plan

SHOWN = 12  # steps in flight listed by name; the rest are counted
STATES = ("queued", "submitted", "polling", "done", "failed", "skipped")


class Plain:
    """One line per event."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def event(self, event: Event) -> None:
        self.write(text.event(event))

    async def run(self) -> None:
        return None


class Live:
    """The steps of the plan, redrawn in place on a terminal."""

    def __init__(
        self,
        plan: Plan,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
        style: text.Style | None = None,
    ) -> None:
        self.stream = stream
        self.clock = clock
        self.style = style or text.Style(False)
        self.state: dict[str, tuple[str, float]] = {
            f"{c.address} {s.name}": ("queued", 0.0) for c in plan.changes for s in c.running
        }
        self.notes: list[str] = []
        self.drawn = 0

    def event(self, event: Event) -> None:
        key = f"{event.address} {event.step}" if event.step else event.address
        now = self.clock()
        if event.kind in ("submitted", "resumed", "reconciled"):
            self.state[key] = ("polling", now)
        elif event.kind in ("completed", "unchanged"):
            self.state[key] = ("done", now)
        elif event.kind == "failed":
            self.state[key] = ("failed", now)
            # The resource stops at a failed step: its later steps will not run.
            for name, (state, _since) in list(self.state.items()):
                if name.startswith(event.address + " ") and state == "queued":
                    self.state[name] = ("skipped", now)
            self.notes.append(text.event(event))
        elif event.kind == "skipped":
            for name in [k for k in self.state if k.startswith(event.address + " ")]:
                self.state[name] = ("skipped", now)
            self.notes.append(text.event(event))
        elif event.kind in ("still-running", "forgotten", "deleted", "moved", "not-started"):
            self.notes.append(text.event(event))
        self.draw()

    def lines(self) -> list[str]:
        now = self.clock()
        counts = dict.fromkeys(STATES, 0)
        active = []
        for key, (state, since) in self.state.items():
            counts[state] += 1
            if state == "polling":
                active.append(f"  {self.style('…', 'cyan')} {key}  polling {now - since:.0f}s")
        shown = active[:SHOWN]
        if len(active) > SHOWN:
            shown.append(f"  … and {len(active) - SHOWN} more in flight")
        summary = "  ".join(f"{name} {counts[name]}" for name in STATES if counts[name])
        return [*self.notes, *shown, f"[{summary}]"]

    def draw(self) -> None:
        width = max(20, shutil.get_terminal_size().columns - 1)  # a wrapped line breaks redraws
        lines = [line[:width] for line in self.lines()]
        # Move back over the previous block and clear it, then write the new one.
        erase = f"\x1b[{self.drawn}F\x1b[J" if self.drawn else ""
        self.stream.write(erase + "\n".join(lines) + "\n")
        self.stream.flush()
        self.drawn = len(lines)

    async def run(self) -> None:
        """Redraw four times a second, for the elapsed times."""
        while True:
            await asyncio.sleep(0.25)
            self.draw()

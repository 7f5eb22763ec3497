"""Apply progress. On a terminal: a line per finished step that stays in the scrollback,
under it a live block of the steps in flight (submitted, polling with elapsed time) and a
status line (steps done of the plan's, credits spent so far), redrawn in place. Elsewhere
(CI): one plain line per event with the same running count, no cursor movement, no control
characters."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from contentctl.report import apply_text, text

if TYPE_CHECKING:
    from contentctl.apply.results import Event
    from contentctl.plan.diff import Plan

SHOWN = 12  # steps in flight listed by name; the rest are counted
STATES = ("queued", "submitted", "polling", "done", "failed", "skipped")
FINISHED = ("done", "failed", "skipped")


def planned_steps(plan: Plan) -> list[str]:
    """``"address step"`` of every step the apply will run (a deletion is one step)."""
    steps = [f"{c.address} {s.name}" for c in plan.changes for s in c.running]
    return steps + [f"{c.address} delete" for c in plan.changes if c.action == "delete"]


class Tally:
    """How far the apply is: steps finished (done, failed or skipped) of the plan's, and
    the credits the finished ones cost. Each event costs the same however large the plan:
    counts, the steps in flight and each resource's steps are kept as they change."""

    def __init__(self, plan: Plan) -> None:
        self.state: dict[str, str] = dict.fromkeys(planned_steps(plan), "queued")
        self.credits = 0.0
        self._counts = dict.fromkeys(STATES, 0)
        self._counts["queued"] = len(self.state)
        self._order = {key: i for i, key in enumerate(self.state)}
        self._of: dict[str, list[str]] = {}  # address -> its steps' keys
        for key in self.state:
            self._of.setdefault(key.split(" ", 1)[0], []).append(key)
        self._polling: set[str] = set()

    def count(self, event: Event) -> None:
        key = f"{event.address} {event.step}"
        if event.kind in ("submitted", "resumed", "reconciled") and key in self.state:
            self._set(key, "polling")
        elif event.kind in ("completed", "unchanged", "deleted") and key in self.state:
            self._set(key, "done")
            if not event.earlier:  # an earlier apply spent those
                self.credits += event.credits or 0
        elif event.kind in ("failed", "skipped"):
            if key in self.state:
                self._set(key, event.kind)
            # The resource stops there: its later steps will not run.
            for name in self._of.get(event.address, ()):
                if self.state[name] == "queued":
                    self._set(name, "skipped")

    def _set(self, key: str, state: str) -> None:
        self._counts[self.state[key]] -= 1
        self._counts[state] += 1
        self.state[key] = state
        if state == "polling":
            self._polling.add(key)
        else:
            self._polling.discard(key)

    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    def polling(self) -> list[str]:
        """The steps in flight, in the plan's order."""
        return sorted(self._polling, key=self._order.__getitem__)

    def __str__(self) -> str:
        finished = sum(self._counts[s] for s in FINISHED)
        return f"{finished}/{len(self.state)} steps, {self.credits:g} credits so far"


class Plain:
    """One line per event, each with the running count."""

    def __init__(self, write: Callable[[str], None], plan: Plan) -> None:
        self.write = write
        self.tally = Tally(plan)

    def event(self, event: Event) -> None:
        self.tally.count(event)
        self.write(f"{apply_text.event(event)}   [{self.tally}]")

    async def run(self) -> None:
        return None


class Live:
    """Finished steps printed once; the steps in flight and the count redrawn in place."""

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
        self.tally = Tally(plan)
        self.since: dict[str, float] = {}
        self.pending: list[str] = []  # to print above the block, once
        self.drawn = 0

    def event(self, event: Event) -> None:
        self.tally.count(event)
        key = f"{event.address} {event.step}"
        if event.kind in ("submitted", "resumed", "reconciled"):
            self.since[key] = self.clock()
        if event.kind not in ("submitted", "resumed"):  # those show in the block instead
            self.pending.append(self._line(event))
        self.draw()

    def _line(self, event: Event) -> str:
        line = apply_text.event(event)
        if event.kind == "failed":
            return self.style(line, "red")
        if event.kind == "warning":
            return self.style(line, "yellow")
        if event.kind in ("completed", "deleted"):
            return f"{self.style('✓', 'green')} {line}"
        return line

    def lines(self) -> list[str]:
        """The live block: the steps in flight, then the status line."""
        now = self.clock()
        active = [
            f"  {self.style('…', 'cyan')} {key}  polling {now - self.since.get(key, now):.0f}s"
            for key in self.tally.polling()
        ]
        shown = active[:SHOWN]
        if len(active) > SHOWN:
            shown.append(f"  … and {len(active) - SHOWN} more in flight")
        counts = self.tally.counts()
        rest = ", ".join(
            f"{counts[name]} {name}"
            for name in ("polling", "queued", "failed", "skipped")
            if counts[name]
        )
        status = self.style(f"[{self.tally}{'; ' + rest if rest else ''}]", bold=True)
        return [*shown, status]

    def draw(self) -> None:
        width = max(20, shutil.get_terminal_size().columns - 1)  # a wrapped line breaks redraws
        block = [line[:width] for line in self.lines()]
        # Move back over the previous block and clear it; what finished goes above for good.
        erase = f"\x1b[{self.drawn}F\x1b[J" if self.drawn else ""
        self.stream.write(erase + "".join(f"{line}\n" for line in [*self.pending, *block]))
        self.stream.flush()
        self.pending.clear()
        self.drawn = len(block)

    async def run(self) -> None:
        """Redraw four times a second, for the elapsed times."""
        while True:
            await asyncio.sleep(0.25)
            self.draw()

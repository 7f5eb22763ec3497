"""A step's processes as the runner handles them (actions/runner, src/Runner.Sdk/ProcessInvoker.cs).

- The step's entry process is the shell; its output is read through a pipe.
- Cancel: SIGINT to the entry process only; if it still runs 7.5 s later, SIGTERM; if it still
  runs 2.5 s after that, kill. On Linux that kill is ``Process.Kill()`` of the entry process
  alone (``NixKillProcessTree``); the docs call it "the process tree". Both are offered.
- When the entry process has exited but a child still holds its output open, the runner waits
  5 s, then moves on. The child keeps running.
- At the end of the job the runner kills every process carrying the job's
  ``RUNNER_TRACKING_ID`` ("Cleaning up orphan processes").
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Cancellation:
    """GitHub's timings; tests may shorten them. ``final_kill``: ``entry`` is what the Linux
    runner does, ``tree`` what the docs say (the step's process group and its descendants)."""

    sigint_grace: float = 7.5
    sigterm_grace: float = 2.5
    final_kill: Literal["entry", "tree"] = "entry"
    stream_grace: float = 5.0


@dataclass
class StepProcess:
    """One running ``run:`` step: the entry process, its output pump, the signals it got."""

    process: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)
    signals: list[tuple[str, float]] = field(default_factory=list)
    _eof: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _pump: threading.Thread | None = None

    @classmethod
    def start(
        cls, argv: Sequence[str], cwd: Path, env: Mapping[str, str], log: Path
    ) -> StepProcess:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, so "the tree" can be killed as a group
        )
        step = cls(process, log)
        step._pump = threading.Thread(target=step._copy_output, name=f"step-output-{process.pid}")
        step._pump.start()
        return step

    @property
    def pid(self) -> int:
        return self.process.pid

    def _copy_output(self) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        with self.log.open("ab") as sink:
            while not self._stop.is_set():
                ready, _, _ = select.select([fd], [], [], 0.1)
                if not ready:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                sink.write(chunk)
                sink.flush()
        self._eof.set()

    def exited(self) -> bool:
        return self.process.poll() is not None

    def send(self, signum: signal.Signals) -> None:
        self.signals.append((signum.name, time.monotonic() - self.started))
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def kill(self, final_kill: Literal["entry", "tree"]) -> None:
        self.signals.append(("SIGKILL", time.monotonic() - self.started))
        if final_kill == "entry":
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            return
        kill_all([self.pid, *descendants(self.pid)])
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)

    def wait_for_output(self, grace: float) -> bool:
        """After the entry process exited: True if the output closed within ``grace``."""
        return self._eof.wait(grace)

    def close(self, timeout: float = 10.0) -> None:
        """Stop pumping output (at the end of the job, after orphans are gone)."""
        if self._pump is not None:
            self._pump.join(timeout)
            self._stop.set()
            self._pump.join(1.0)
        if self.process.stdout is not None:
            self.process.stdout.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(1.0)


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return name, int(fields[1])


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def descendants(pid: int) -> list[int]:
    parents = {p: s[1] for p in _pids() if (s := _stat(p)) is not None}
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def tracked(tracking_id: str) -> list[tuple[int, str]]:
    """Processes started by the job: they carry its RUNNER_TRACKING_ID."""
    marker = f"RUNNER_TRACKING_ID={tracking_id}".encode()
    found = []
    for pid in _pids():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            stat = _stat(pid)
            if stat is not None and _state(pid) != "Z":
                found.append((pid, stat[0]))
    return found


def _state(pid: int) -> str:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "X"
    return text[text.rindex(")") + 2 :].split()[0]


def kill_all(pids: Sequence[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def kill_tracked(tracking_id: str, deadline: float = 10.0) -> list[str]:
    """The runner's orphan clean-up: kill every tracked process; returns "pid (name)" of each."""
    killed: list[str] = []
    limit = time.monotonic() + deadline
    while time.monotonic() < limit:
        alive = tracked(tracking_id)
        if not alive:
            return killed
        for pid, name in alive:
            label = f"{pid} ({name})"
            if label not in killed:
                killed.append(label)
        kill_all([pid for pid, _ in alive])
        time.sleep(0.05)
    raise RuntimeError(f"processes of job {tracking_id} survived SIGKILL: {tracked(tracking_id)}")


class CancelSequence:
    """The runner's cancel of one running step (or of one past its timeout), advanced by
    ``tick()`` from the loop that watches the step."""

    def __init__(
        self,
        process: StepProcess,
        cancellation: Cancellation,
        timeout: float,
        note: Callable[[str], None],
    ) -> None:
        self.process = process
        self.cancellation = cancellation
        self.deadline = time.monotonic() + timeout
        self.note = note
        self.cancelled = False
        self.timed_out = False
        self.phase = ""
        self.since = 0.0

    def cancel(self) -> None:
        if self.phase:
            return
        self.cancelled = True
        self.phase, self.since = "SIGINT", time.monotonic()
        self.process.send(signal.SIGINT)
        self.note(f"sent SIGINT to the step's entry process {self.process.pid}")

    def tick(self) -> None:
        now = time.monotonic()
        if not self.phase and now > self.deadline:
            self.timed_out = True
            self.cancel()
        elif self.phase == "SIGINT" and now - self.since >= self.cancellation.sigint_grace:
            self.phase, self.since = "SIGTERM", now
            self.process.send(signal.SIGTERM)
            self.note(f"sent SIGTERM to {self.process.pid}")
        elif self.phase == "SIGTERM" and now - self.since >= self.cancellation.sigterm_grace:
            self.phase = "SIGKILL"
            self.process.kill(self.cancellation.final_kill)
            self.note(f"killed {self.process.pid} ({self.cancellation.final_kill})")

"""The apply lease can never have two holders: contenders started at the same instant (a
barrier), with and without a stale lease left by a dead holder, many times over."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from contentctl import lease
from contentctl.errors import LeaseHeldError

TRIALS = 200
CONTENDERS = 4


def _contender(
    path: str, rounds: int, start: Any, end: Any, inside: Any, most: Any, won: Any
) -> None:
    lockfile = Path(path)
    for _ in range(rounds):
        start.wait()
        try:
            with lease.hold(lockfile, f"contender {os.getpid()}", renew_every=3600):
                with inside.get_lock():
                    inside.value += 1
                    most.value = max(most.value, inside.value)
                with won.get_lock():
                    won.value += 1
                time.sleep(0.002)  # hold it a moment, so an overlap would show
                with inside.get_lock():
                    inside.value -= 1
        except LeaseHeldError:
            pass
        end.wait()


def _stale(path: Path) -> None:
    """A lease file left by a holder that died (SIGKILL): its pid is gone."""
    dead = {
        "owner": "ci",
        "host": socket.gethostname(),
        "pid": 2**22 + 4321,
        "started": time.time() - 60,
        "expires": time.time() + 600,
    }
    lease.lease_path(path).write_text(json.dumps(dead))


@pytest.mark.parametrize("stale", [False, True], ids=["fresh", "stale-lease-in-place"])
def test_barrier_started_contenders_never_hold_the_lease_twice(tmp_path: Path, stale: bool) -> None:
    fork = multiprocessing.get_context("fork")
    path = tmp_path / "contentctl.lock"
    start, end = fork.Barrier(CONTENDERS + 1), fork.Barrier(CONTENDERS + 1)
    inside, most, won = fork.Value("i", 0), fork.Value("i", 0), fork.Value("i", 0)
    workers = [
        fork.Process(target=_contender, args=(str(path), TRIALS, start, end, inside, most, won))
        for _ in range(CONTENDERS)
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in range(TRIALS):
            if stale:
                _stale(path)
            start.wait(timeout=30)
            end.wait(timeout=30)
    finally:
        for worker in workers:
            worker.join(timeout=30)
    assert all(w.exitcode == 0 for w in workers)
    assert most.value == 1  # never two holders at once
    # Every trial had a winner: a stale lease never blocks, and contention is not a deadlock.
    assert won.value >= TRIALS
    print(
        f"\nlease: {TRIALS} barrier-started trials x {CONTENDERS} contenders "
        f"({'stale lease in place' if stale else 'no lease'}): {won.value} holds, "
        f"at most {most.value} holder at once"
    )


def test_the_lease_file_is_never_seen_empty_or_half_written(tmp_path: Path) -> None:
    """Readers racing a taker always find a whole lease file, or none."""
    path = tmp_path / "contentctl.lock"
    fork = multiprocessing.get_context("fork")
    stop = fork.Event()

    def taker() -> None:
        while not stop.is_set():
            try:
                with lease.hold(path, "taker", renew_every=3600):
                    pass
            except LeaseHeldError:
                pass

    process = fork.Process(target=taker)
    process.start()
    seen = 0
    try:
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                text = lease.lease_path(path).read_text()
            except FileNotFoundError:
                continue
            seen += 1
            assert json.loads(text)["owner"] == "taker"
    finally:
        stop.set()
        process.join(timeout=10)
    assert seen > 0


def test_a_holder_elsewhere_is_honoured_until_it_expires(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    elsewhere = {
        "owner": "ci",
        "host": "runner-7",
        "pid": 1,
        "started": 0,
        "expires": time.time() + 600,
    }
    lease.lease_path(path).write_text(json.dumps(elsewhere))
    with pytest.raises(LeaseHeldError, match="runner-7"), lease.hold(path, "me"):
        pass
    lease.lease_path(path).write_text(json.dumps({**elsewhere, "expires": time.time() - 1}))
    with lease.hold(path, "me"):
        assert json.loads(lease.lease_path(path).read_text())["owner"] == "me"

"""The apply lease on ``contentctl.lock``: one apply at a time, and a stale lease recoverable.

``contentctl.lock.lease`` names its holder (owner, host, pid, started) and an expiry that a
running apply keeps pushing forward. A holder on this host whose process is gone, or a lease
past its expiry, is stale and taken over; a live-looking holder on another host needs
``contentctl unlock --force``, because only a person can know that CI job is dead.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from contentctl.errors import LeaseHeldError
from contentctl.lockfile import write_atomic

LEASE_SECONDS = 15 * 60
RENEW_EVERY = 60


def lease_path(lockfile_path: Path) -> Path:
    return lockfile_path.with_name(lockfile_path.name + ".lease")


class Lease:
    """A held lease. ``renew`` pushes its expiry forward; call it as work progresses."""

    def __init__(self, path: Path, info: dict[str, Any]) -> None:
        self.path = path
        self.info = info
        self._renewed = time.monotonic()

    def renew(self) -> None:
        if time.monotonic() - self._renewed < RENEW_EVERY:
            return
        self.info["expires"] = time.time() + LEASE_SECONDS
        write_atomic(self.path, json.dumps(self.info) + "\n")
        self._renewed = time.monotonic()


@contextlib.contextmanager
def hold(lockfile_path: Path, owner: str) -> Iterator[Lease]:
    """Take the lease for the duration of an apply, or fail fast naming its holder."""
    path = lease_path(lockfile_path)
    now = time.time()
    info = {
        "owner": owner,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": now,
        "expires": now + LEASE_SECONDS,
        "process_start": _process_start(os.getpid()),
    }
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            current = holder(lockfile_path)
            if current is not None and not is_stale(current):
                raise LeaseHeldError(
                    f"another apply holds the lease: {describe(current)}",
                    hint="wait for it to finish; if it is dead, run `contentctl unlock"
                    + ("`" if _same_host(current) else " --force`"),
                ) from None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(info, handle)
        break
    else:  # pragma: no cover - lost a race twice
        raise LeaseHeldError("could not take the apply lease", hint="try again")
    try:
        yield Lease(path, info)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def holder(lockfile_path: Path) -> dict[str, Any] | None:
    """Who holds the lease, or None. An unreadable lease file counts as a stale holder."""
    path = lease_path(lockfile_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def release(lockfile_path: Path, *, force: bool) -> dict[str, Any] | None:
    """Remove a stale lease (any lease with ``force``); returns the holder it removed."""
    current = holder(lockfile_path)
    if current is None:
        return None
    if not force and not is_stale(current):
        raise LeaseHeldError(
            f"the lease is held by a running apply: {describe(current)}",
            hint="it may still be working"
            + (
                ""
                if _same_host(current)
                else "; if you know that job is dead (a cancelled CI run), use --force"
            ),
        )
    with contextlib.suppress(FileNotFoundError):
        os.unlink(lease_path(lockfile_path))
    return current


def is_stale(info: Mapping[str, Any]) -> bool:
    if not info or float(info.get("expires", 0)) < time.time():
        return True
    if _same_host(info):
        pid = int(info.get("pid", 0))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except (PermissionError, ValueError, OverflowError):
            return False
        # The pid is alive, but it may belong to a newer process that reused it.
        recorded = info.get("process_start")
        return recorded is not None and recorded != _process_start(pid)
    return False


def _process_start(pid: int) -> str | None:
    """When a process started (Linux: field 22 of /proc/PID/stat); None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def describe(info: Mapping[str, Any]) -> str:
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info.get("started", 0))))
    return (
        f"{info.get('owner', '?')} on {info.get('host', '?')} (pid {info.get('pid', '?')}), "
        f"since {started}"
    )


def _same_host(info: Mapping[str, Any]) -> bool:
    return info.get("host") == socket.gethostname()

"""The apply lease on ``contentctl.lock``: one apply at a time, and a dead one never in the way.

Mutual exclusion is the kernel's: an exclusive ``flock`` on ``.contentctl/apply.lock``, which
is released the moment its holder dies, however it dies (SIGKILL included). Two processes
can never hold it at once, and there is no stale lock to take over, so no takeover race.

Beside it, ``contentctl.lock.lease`` says who holds the lease (owner, host, pid, started,
expires) for the messages of those who wait. It is written completely before it becomes
visible (a temporary file renamed into place), only by the holder, and renewed on a timer
of its own while the holder lives, so a long poll or rate-limit wait never lets it expire.
A lease file naming another host (a shared folder, where the flock may not reach) is
honoured until it expires; ``contentctl unlock --force`` removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from contentctl.errors import LeaseHeldError, LockfileError
from contentctl.lockfile.durable import write_atomic, write_error

LEASE_SECONDS = 15 * 60
RENEW_EVERY = 60.0

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lease_path(lockfile_path: Path) -> Path:
    return lockfile_path.with_name(lockfile_path.name + ".lease")


def flock_path(lockfile_path: Path) -> Path:
    return lockfile_path.parent / ".contentctl" / "apply.lock"


class Lease:
    """A held lease, renewed every ``RENEW_EVERY`` seconds until it is released."""

    def __init__(self, path: Path, info: dict[str, Any], renew_every: float = RENEW_EVERY):
        self.path = path
        self.info = info
        self._stop = threading.Event()
        self._renewer = threading.Thread(
            target=self._renew_until_released, args=(renew_every,), daemon=True
        )
        self._renewer.start()

    def _renew_until_released(self, every: float) -> None:
        while not self._stop.wait(every):
            self.info["expires"] = time.time() + LEASE_SECONDS
            # A failed renewal only makes the holder look older to those who wait.
            with contextlib.suppress(OSError):
                write_atomic(self.path, json.dumps(self.info) + "\n")

    def release(self) -> None:
        self._stop.set()
        self._renewer.join()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


@contextlib.contextmanager
def hold(lockfile_path: Path, owner: str, renew_every: float = RENEW_EVERY) -> Iterator[Lease]:
    """Take the lease for the duration of an apply, or fail fast naming its holder."""
    path = lease_path(lockfile_path)
    with _acquired(lockfile_path):
        now = time.time()
        info = {
            "owner": owner,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": now,
            "expires": now + LEASE_SECONDS,
            "process_start": _process_start(os.getpid()),
        }
        try:
            write_atomic(path, json.dumps(info) + "\n")
        except OSError as exc:
            raise write_error(path, exc) from exc
        lease = Lease(path, info, renew_every)
        try:
            yield lease
        finally:
            lease.release()


def check(lockfile_path: Path) -> None:
    """Fail fast, before any work, when another apply holds the lease right now."""
    with _acquired(lockfile_path):
        pass


@contextlib.contextmanager
def _acquired(lockfile_path: Path) -> Iterator[None]:
    fd = _lock(lockfile_path)
    try:
        current = holder(lockfile_path)
        if current and not is_stale(current):
            raise _held(current)  # a holder the flock cannot see: another host, older version
        yield
    finally:
        os.close(fd)


def _lock(lockfile_path: Path) -> int:
    """The flock, held through the returned descriptor; LeaseHeldError when taken."""
    target = flock_path(lockfile_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise write_error(target, exc, doing="create the apply lease") from exc
    if fcntl is None:  # pragma: no cover - Windows: the lease file alone
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _held(_wait_for_holder(lockfile_path)) from None
    except OSError as exc:
        os.close(fd)
        raise LockfileError(
            f"cannot lock {target}: {exc.strerror or exc}",
            hint="the file system does not support locks; apply from a local checkout",
        ) from exc
    return fd


def _wait_for_holder(lockfile_path: Path) -> dict[str, Any]:
    """The holder's lease file; it appears a moment after the holder takes the flock."""
    for _ in range(10):
        found = holder(lockfile_path)
        if found:
            return found
        time.sleep(0.005)
    return {}


def _held(current: Mapping[str, Any]) -> LeaseHeldError:
    if not current:
        return LeaseHeldError("another apply holds the lease", hint="wait for it to finish")
    return LeaseHeldError(
        f"another apply holds the lease: {describe(current)}",
        hint="wait for it to finish"
        + (
            ""
            if _same_host(current)
            else "; if that job is dead (a cancelled CI run), run `contentctl unlock --force`"
        ),
    )


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
    if not force and not is_stale(current) and _lock_is_taken(lockfile_path, current):
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


def _lock_is_taken(lockfile_path: Path, current: Mapping[str, Any]) -> bool:
    if not _same_host(current) or fcntl is None:
        return True
    try:
        os.close(_lock(lockfile_path))
    except LeaseHeldError:
        return True
    return False


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

"""`python -m benchmarks.lockfile_apply REPORT REPO`: apply REPO on the in-process sandbox
(jobs done at once) and write to REPORT what the lockfile cost: the bytes written to the
lockfile, its temporary files and its journal (every ``os.write`` to them), the seconds
spent in the lockfile writer, the final lockfile's size and this process's own peak
memory. (The harness counts the steps, from the lockfile before and after: reading it
here would add its own parse to the peak.)
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.child import report


def main() -> None:
    out, repo = Path(sys.argv[1]), Path(sys.argv[2])
    # Jobs done at once, credits and rate limit out of the way: what is left is contentctl.
    os.environ["CONTENTCTL_SANDBOX_LATENCY"] = "0"
    os.environ["CONTENTCTL_SANDBOX_BALANCE"] = "1e9"
    os.environ["CONTENTCTL_SANDBOX_RATE_LIMIT"] = "1000000"
    from contentctl.cli import main as contentctl
    from contentctl.lockfile.journal import journal_path
    from contentctl.lockfile.writer import LockfileWriter

    lock = repo / "contentctl.lock"
    names = (lock.name, f".{lock.name}.", journal_path(lock).name)
    written = {"bytes": 0}
    seconds = {"writer": 0.0}
    real_write = os.write

    def write(fd: int, data: Any) -> int:
        count = real_write(fd, data)
        try:
            name = Path(os.readlink(f"/proc/self/fd/{fd}")).name
        except OSError:
            return count
        if name.startswith(names):
            written["bytes"] += count
        return count

    def timed(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                seconds["writer"] += time.perf_counter() - started

        return wrapper

    os.write = write
    writer = LockfileWriter
    for name in ("_change", "flush", "compact_if_quiet"):
        setattr(writer, name, timed(getattr(writer, name)))
    try:
        contentctl(["-C", str(repo), "--sandbox", "apply", "--auto-approve", "--parallelism", "8"])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    finally:
        os.write = real_write
    report(
        out,
        {
            "bytes": written["bytes"],
            "writer_seconds": seconds["writer"],
            "final_size": lock.stat().st_size,
        },
    )


if __name__ == "__main__":
    main()

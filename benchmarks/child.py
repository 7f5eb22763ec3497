"""`python -m benchmarks.child REPORT [contentctl arguments]`: run contentctl in this very
process and write its own peak memory and CPU time to REPORT (JSON).

The peak is this process's VmHWM (/proc/self/status): the resident high-water mark of
its own address space. ``ru_maxrss`` is not used for it: Linux carries it over an exec,
so a child started by a large harness reports the harness's memory as its own.
"""

from __future__ import annotations

import atexit
import json
import resource
import sys
from pathlib import Path


def peak_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def report(path: Path, extra: dict[str, object] | None = None) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    path.write_text(
        json.dumps(
            {"peak_kib": peak_kib(), "cpu": usage.ru_utime + usage.ru_stime, **(extra or {})}
        )
    )


def main() -> None:
    out = Path(sys.argv[1])
    atexit.register(report, out)
    from contentctl.cli import main as contentctl

    contentctl(sys.argv[2:])


if __name__ == "__main__":
    main()

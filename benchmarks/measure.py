"""How a figure is measured: fresh processes, A/B pairs, a process's own peak memory."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CONTENTCTL = [sys.executable, "-m", "contentctl"]
CHILD = [sys.executable, "-m", "benchmarks.child"]  # contentctl, reporting its own peak

METHODS = {
    "pairs": "A/B interleaved pairs of fresh processes, median of the pairs' ratios",
    "median": "median wall time of fresh processes (start-up included)",
    "peak": "the process's own peak resident memory (VmHWM read by it at exit)",
    "modules": "top-level modules in sys.modules when the command exits",
    "http": "one apply through `contentctl sandbox serve` over loopback HTTP, wall time of "
    "the apply process; ideal = ceil(posts / parallelism) x job latency",
    "log": "counted in the sandbox's request log",
    "bytes": "every os.write to contentctl.lock, its temporary files and its journal, "
    "counted inside the applying process; bound = 3 x final size + 4 KB x steps",
    "writer": "seconds inside the lockfile writer (record, compact, flush) during the apply "
    "on the in-process sandbox, over the API-bound wall time of the same apply with 1 s "
    "jobs at parallelism 8: ceil(jobs / 8) x 1 s",
}


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    ok: bool | None  # None: reported, no target
    method: str = "median"

    def row(self) -> str:
        verdict = {True: "pass", False: "FAIL", None: ""}[self.ok]
        return (
            f"{self.name:<52} {self.value:>10.3f} {self.unit:<8} {self.target:<22} "
            f"{verdict:<6} {self.method}"
        )


def as_installed() -> None:
    """Compile contentctl's bytecode, as ``pip install`` does: the figures are those of the
    installed tool. Run from a checkout on a machine that sets PYTHONDONTWRITEBYTECODE (as
    CI machines often do), every process would compile every module it imports again."""
    import compileall

    import contentctl

    compileall.compile_dir(Path(contentctl.__file__).parent, quiet=1)


def run(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall seconds of one fresh process."""
    started = time.perf_counter()
    done = subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(command[2:7])} failed: {done.stderr.decode()[-400:]}")
    return elapsed


def peak_mib(args: list[str], work: Path, env: dict[str, str] | None = None) -> float:
    """The peak memory of one contentctl process, as that process measured it."""
    report = work / "child.json"
    run([*CHILD, str(report), *args], env)
    return float(json.loads(report.read_text())["peak_kib"]) / 1024


def median_run(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    return statistics.median(run(command, env) for _ in range(runs))


def paired(a: list[str], b: list[str], runs: int) -> tuple[float, float, float]:
    """A and B run alternately (A, B, B, A, ...): (median of A, median of B, median of A/B)."""
    times_a, times_b, ratios = [], [], []
    for i in range(runs):
        if i % 2:
            tb, ta = run(b), run(a)
        else:
            ta, tb = run(a), run(b)
        times_a.append(ta)
        times_b.append(tb)
        ratios.append(ta / tb)
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)

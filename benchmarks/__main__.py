"""`python -m benchmarks [--quick] [--full-apply] [--only GROUP,...]`: contentctl measured
against floors, ideal bounds and other tools.

Prints a table — each figure with its target, pass/fail and how it was measured — and writes
benchmarks/results.json. A figure and the floor it is divided by are measured as A/B pairs,
interleaved in one window, and the ratio is the median of the pairs' ratios, so that load
on a shared machine moves both sides alike. Peak memory is the measured process's own.
The test suite runs `--quick` as a smoke test and asserts no timing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from benchmarks import projects
from benchmarks.applies import (
    call_figures,
    http_apply_figures,
    lockfile_apply_figures,
)
from benchmarks.bookkeeping import bookkeeping_figures, media_figures
from benchmarks.measure import METHODS, Figure, as_installed
from benchmarks.plans import plan_figures, validate_figures
from benchmarks.startup import startup_figures

GROUPS = (
    "startup",
    "calls",
    "plan",
    "validate",
    "lockfile",
    "bookkeeping",
    "http",
    "projects",
)


def _groups(work: Path, quick: bool, full_apply: bool) -> dict[str, Callable[[], list[Figure]]]:
    """Each group of figures, as a run of this size measures it (in this order)."""
    if quick:
        return {
            "startup": lambda: startup_figures(work, 1),
            "plan": lambda: plan_figures(work, [100], 1),
            "validate": lambda: validate_figures(work, 100, 1),
            "lockfile": lambda: lockfile_apply_figures(work, 200, 10),
            "bookkeeping": lambda: bookkeeping_figures(work, 1) + media_figures(work, 1, 2),
            "http": lambda: http_apply_figures(work, 10, [4], 0.2),
            "calls": lambda: call_figures(work),
            "projects": lambda: [Figure(*row) for row in projects.figures(work, 4, 20, 1)],
        }
    return {
        "startup": lambda: startup_figures(work, 9),
        "calls": lambda: call_figures(work),
        "plan": lambda: plan_figures(work, [1000, 10000], 5),
        "validate": lambda: validate_figures(work, 1000, 3),
        "lockfile": lambda: (
            lockfile_apply_figures(work, 10000, 1000)
            if full_apply
            else lockfile_apply_figures(work, 2000, 100)
        ),
        "bookkeeping": lambda: bookkeeping_figures(work, 5) + media_figures(work, 5),
        "http": lambda: http_apply_figures(work, 100, [1, 8, 16], 1.0),
        "projects": lambda: [Figure(*row) for row in projects.figures(work, 50, 200, 3)],
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and few runs: a smoke test, not a measurement",
    )
    parser.add_argument(
        "--full-apply",
        action="store_true",
        help="the lockfile apply scenario at full size: 1,000 new posts into 10,000 "
        "resources (a few minutes); by default 100 into 2,000",
    )
    parser.add_argument(
        "--only",
        metavar="GROUP[,GROUP]",
        help=f"measure only these groups of figures: {', '.join(GROUPS)} (e.g. --only plan)",
    )
    args = parser.parse_args()
    unknown = set((args.only or "").split(",")) - {"", *GROUPS}
    if unknown:
        parser.error(f"--only: no group {', '.join(sorted(unknown))}; groups: {', '.join(GROUPS)}")
    return args


def main() -> None:
    args = _arguments()
    work = Path(tempfile.mkdtemp(prefix="contentctl-bench-"))
    started = time.perf_counter()
    chosen = set(args.only.split(",")) if args.only else set(GROUPS)
    as_installed()
    try:
        figures = [
            figure
            for name, measure in _groups(work, args.quick, args.full_apply).items()
            if name in chosen
            for figure in measure()
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'figure':<52} {'value':>10} {'unit':<8} {'target':<22} {'result':<6} method")
    for figure in figures:
        print(figure.row())
    elapsed = time.perf_counter() - started
    print(
        f"\n{sum(1 for f in figures if f.ok)} pass, {sum(1 for f in figures if f.ok is False)}"
        f" fail; benchmark took {elapsed:.0f} s\n\nmethods:"
    )
    for key in sorted({f.method for f in figures}):
        print(f"  {key:<8} {METHODS[key]}")
    print("contentctl runs from this checkout, its bytecode compiled first (as pip install does)")
    name = "results" + ("-quick" if args.quick else "") + ("-only" if args.only else "")
    out = Path(__file__).parent / f"{name}.json"
    out.write_text(
        json.dumps(
            {"seconds": elapsed, "figures": [asdict(f) for f in figures], "methods": METHODS},
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()

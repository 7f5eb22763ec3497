"""`python -m benchmarks.kill_matrix [--seed N] [--quick] [--cases a,b,c,d,e]`: the scaffolded
apply job, run as GitHub runs it, broken the ways real life breaks it, with the damage counted.

Cases: (a) cancel (SIGINT, 7.5 s, SIGTERM, 2.5 s, kill), (b) a competing push to main, (c) a
30 s API outage, (d) two interactive applies of one checkout, (e) the runner killed outright.
A baseline (no interruption, same faults) runs first: it gives the moments their range and
the figures a control. Each run is followed by a second apply job on a new runner and a plan
from a fresh clone. Prints a table, writes benchmarks/results-kill-matrix.json. The figures
are reported, not judged: the exit status is non-zero only when the harness itself failed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from ghsim.matrix import CaseRun, Settings, run_case  # noqa: E402
from ghsim.project import content_project  # noqa: E402

LETTERS = {"a": "cancel", "b": "push", "c": "outage", "d": "interactive", "e": "death"}
FULL = {"baseline": 3, "cancel": 20, "push": 10, "outage": 3, "interactive": 2, "death": 20}
QUICK = dict.fromkeys(FULL, 1)
TITLES = {
    "baseline": "baseline (no interruption)",
    "cancel": "(a) cancel",
    "push": "(b) competing push",
    "outage": "(c) API outage",
    "interactive": "(d) two interactive applies",
    "death": "(e) runner killed",
}


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kill_matrix", description=__doc__)
    parser.add_argument("--seed", type=int, default=2026, help="seeds moments and faults")
    parser.add_argument("--quick", action="store_true", help="one run per case")
    parser.add_argument("--cases", default="a,b,c,d,e", help="letters or names, comma-separated")
    parser.add_argument("--jobs", type=int, default=1, help="runs at once (default 1)")
    parser.add_argument("--faults", default="rate_limit=0.3,server_error=0.3")
    parser.add_argument("--latency", type=float, default=2.0, help="sandbox job latency, s")
    parser.add_argument("--workflow", type=Path, help="run this workflow, not the scaffolded one")
    parser.add_argument("--keep", type=Path, help="keep every run's folders here")
    return parser.parse_args(argv)


def _cases(text: str) -> list[str]:
    names = [LETTERS.get(part.strip(), part.strip()) for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in FULL]
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(unknown)}; use a-e or {', '.join(FULL)}")
    return names


def _aggregate(runs: list[CaseRun]) -> dict[str, Any]:
    return {
        "runs": len(runs),
        "fired": sum(r.fired for r in runs),
        "paid_twice": sum(r.damage.paid_twice for r in runs),
        "credits_wasted": sum(r.damage.credits_wasted for r in runs),
        "schedules_duplicated": sum(r.damage.schedules_duplicated for r in runs),
        "runs_with_lost_records": sum(bool(r.damage.lost) for r in runs),
        "lost_records": sum(len(r.damage.lost) for r in runs),
        "unreadable_lockfiles": sum(len(r.damage.unreadable) for r in runs),
        "needed_a_human": sum(bool(r.human) for r in runs),
    }


def _table(summary: dict[str, dict[str, Any]]) -> str:
    head = (
        f"{'case':<30} {'runs':>4} {'hit':>4} {'paid 2x':>7} {'credits':>7} {'sched 2x':>8} "
        f"{'lost (records)':>14} {'unreadable':>10} {'human':>5}"
    )
    lines = [head, "-" * len(head)]
    for case, row in summary.items():
        lost = f"{row['runs_with_lost_records']} ({row['lost_records']})"
        lines.append(
            f"{TITLES[case]:<30} {row['runs']:>4} {row['fired']:>4} {row['paid_twice']:>7} "
            f"{row['credits_wasted']:>7g} {row['schedules_duplicated']:>8} {lost:>14} "
            f"{row['unreadable_lockfiles']:>10} {row['needed_a_human']:>5}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="kill-matrix-"))
    try:
        return _matrix(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _matrix(args: argparse.Namespace, work: Path) -> int:
    counts = QUICK if args.quick else FULL
    wanted = ["baseline", *(c for c in _cases(args.cases) if c != "baseline")]
    settings = Settings(faults=args.faults, latency=args.latency, workflow=args.workflow)
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    template = content_project(work / "template")
    errors: list[str] = []
    runs: dict[str, list[CaseRun]] = {name: [] for name in wanted}

    def one(name: str, index: int, after: float | None) -> None:
        try:
            run = run_case(
                work / f"{name}-{index}", template, settings, name, index, after, bool(args.keep)
            )
        except Exception:
            errors.append(f"{name} #{index}:\n{traceback.format_exc()}")
            return
        runs[name].append(run)
        human = "; ".join(run.human) or "-"
        print(
            f"  {name} #{index} ({run.moment}): paid twice {run.damage.paid_twice}, "
            f"lost {len(run.damage.lost)}, human: {human}",
            flush=True,
        )

    print(f"kill matrix: seed {args.seed}, faults {args.faults}, latency {args.latency:g}s")
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        list(pool.map(lambda i: one("baseline", i, None), range(counts["baseline"])))
        durations = [r.seconds.get("apply step", 0.0) for r in runs["baseline"]]
        span = statistics.median(durations) if durations else 30.0
        print(f"  the baseline apply step took {span:.1f}s: moments fall in 1..{span:.1f}s")
        plans = []
        for name in wanted[1:]:
            rng = random.Random(f"{args.seed}:{name}")
            plans += [(name, i, rng.uniform(1.0, max(span, 2.0))) for i in range(counts[name])]
        list(pool.map(lambda plan: one(*plan), plans))

    summary = {name: _aggregate(sorted(r, key=lambda r: r.index)) for name, r in runs.items()}
    print()
    print(_table(summary))
    elapsed = time.monotonic() - started
    print(f"\nkill matrix took {elapsed:.0f}s; details in benchmarks/results-kill-matrix.json")
    out = Path(__file__).parent / "results-kill-matrix.json"
    out.write_text(
        json.dumps(
            {
                "seed": args.seed,
                "quick": args.quick,
                "faults": args.faults,
                "latency": args.latency,
                "workflow": str(args.workflow)
                if args.workflow
                else "scaffolded by contentctl init",
                "seconds": round(elapsed, 1),
                "summary": summary,
                "runs": {n: [r.to_json() for r in rs] for n, rs in runs.items()},
                "errors": errors,
            },
            indent=2,
        )
    )
    for error in errors:
        print(f"\nharness error in {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())

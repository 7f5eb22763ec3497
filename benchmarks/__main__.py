"""`python -m benchmarks [--quick]`: contentctl measured against floors and other tools.

Prints a table with each figure, its target and pass/fail, and writes benchmarks/results.json.
Medians of several runs; nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.repos import make_repo

RUNS = 3


def _median_seconds(
    command: list[str], runs: int = RUNS, ok: Callable[[int], bool] = lambda c: c == 0
) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if not ok(done.returncode):
            raise SystemExit(f"{' '.join(command[:4])} failed: {done.stderr[-500:]}")
        times.append(elapsed)
    return statistics.median(times)


def validate_vs_check_jsonschema(work: Path, size: int) -> dict[str, object]:
    repo = make_repo(work / f"validate{size}", size)
    schemas = work / "schemas"
    subprocess.run(
        [sys.executable, "-m", "contentctl", "schema", "export", str(schemas)],
        check=True,
        capture_output=True,
    )
    ours = _median_seconds([sys.executable, "-m", "contentctl", "-C", str(repo), "validate"])
    files = sorted(str(p) for p in (repo / "content").glob("*.yaml"))
    theirs = _median_seconds(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(schemas / "manifest.schema.json"),
            *files,
        ]
    )
    return {
        "name": f"validate {size} manifests vs check-jsonschema",
        "contentctl_s": ours,
        "check_jsonschema_s": theirs,
        "ratio": theirs / ours,
        "target": ">= 2x faster",
        "pass": theirs / ours >= 2.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI smoke runs")
    args = parser.parse_args()
    size = 100 if args.quick else 1000
    work = Path(tempfile.mkdtemp(prefix="contentctl-bench-"))
    try:
        results = [validate_vs_check_jsonschema(work, size)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for r in results:
        verdict = "pass" if r["pass"] else "FAIL"
        print(
            f"{r['name']:<50} contentctl {r['contentctl_s']:.2f}s  check-jsonschema "
            f"{r['check_jsonschema_s']:.2f}s  ratio {r['ratio']:.1f}x  target "
            f"{r['target']}  {verdict}"
        )
    out = Path(__file__).parent / ("results-quick.json" if args.quick else "results.json")
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""The benchmark command keeps working (a smoke run: small sizes, no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import ROOT


def test_benchmarks_quick_run_prints_every_figure() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    table = result.stdout
    for figure in (
        "no-op plan, 100 resources",
        "floor: parse only",
        "warm plan / parse floor",
        "cold plan / parse+validate floor",
        "peak memory",
        "--version / python -c pass",
        "server/imaging modules loaded",
        "bytes written / bound",
        "lockfile overhead / API-bound wall",
        "check-jsonschema / validate",
        "start-up: contentctl --version",
        "start-up: contentctl --help",
        "wall / ideal",
        "status polls per job",
        "API calls of a no-op apply",
        "paid/creating calls after one field",
        "projects --changed-since",
        "per event, 10000 / 100 resources",
        "per step, 10000 / 100 records",
        "MB videos / 1 KB videos",
        "plan every project, one process",
    ):
        assert figure in table, figure
    data = json.loads((ROOT / "benchmarks" / "results-quick.json").read_text())
    calls = {f["name"]: f["value"] for f in data["figures"]}
    assert calls["API calls of a no-op apply"] == 0  # a count, not a timing
    assert calls["--sandbox plan: server/imaging modules loaded"] == 0
    assert calls["  bytes written / bound"] <= 1  # bytes, not a timing
    assert all(f["method"] in data["methods"] for f in data["figures"])

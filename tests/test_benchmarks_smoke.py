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
        "floor: PyYAML C loader",
        "peak memory",
        "check-jsonschema / validate",
        "start-up: contentctl --version",
        "start-up: contentctl --help",
        "wall / ideal",
        "status polls per job",
        "API calls of a no-op apply",
        "paid/creating calls after one field",
        "projects --changed-since",
        "plan every project, one process",
    ):
        assert figure in table, figure
    data = json.loads((ROOT / "benchmarks" / "results-quick.json").read_text())
    calls = {f["name"]: f["value"] for f in data["figures"]}
    assert calls["API calls of a no-op apply"] == 0  # a count, not a timing

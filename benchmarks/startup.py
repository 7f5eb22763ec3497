"""How fast contentctl starts, and what a sandbox plan loads."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.measure import CONTENTCTL, Figure, median_run, paired

PROBE = """
import sys
from contentctl.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
finally:
    heavy = {m.split(".")[0] for m in sys.modules} & {"starlette", "uvicorn", "PIL"}
    print("LOADED:" + ",".join(sorted(heavy)), file=sys.stderr)
"""


def startup_figures(work: Path, runs: int) -> list[Figure]:
    version, python, ratio = paired(
        [*CONTENTCTL, "--version"], [sys.executable, "-c", "pass"], runs
    )
    help_ = median_run([*CONTENTCTL, "--help"], runs)
    repo = work / "startup"
    shutil.copytree(
        Path(__file__).resolve().parent.parent / "examples" / "quickstart",
        repo,
        ignore=shutil.ignore_patterns(".contentctl", "out", "contentctl.lock"),
    )
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, "-C", str(repo), "--sandbox", "plan"],
        capture_output=True,
        text=True,
        check=False,
    )
    loaded = [line for line in probe.stderr.splitlines() if line.startswith("LOADED:")]
    heavy = [m for m in loaded[-1][len("LOADED:") :].split(",") if m] if loaded else ["?"]
    return [
        Figure("start-up: contentctl --version", version, "s", "", None, "pairs"),
        Figure("  python -c pass", python, "s", "", None, "pairs"),
        Figure("  --version / python -c pass", ratio, "x", "<= 5x", ratio <= 5, "pairs"),
        Figure("start-up: contentctl --help", help_, "s", "<= 0.3 s", help_ <= 0.3),
        Figure(
            "--sandbox plan: server/imaging modules loaded",
            len(heavy),
            "modules",
            "= 0 (starlette, uvicorn, PIL)",
            not heavy,
            "modules",
        ),
    ]

"""The hostile corpus: what a pull request from a stranger may contain. Every case is
refused by a real `contentctl apply` process within 10 s of CPU and 1 GB of memory, exit 1,
one error naming the problem, no traceback, and no request sent. The figures per case are
printed (pytest -s shows them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FIXTURES

CORPUS = FIXTURES / "hostile"
MAX_CPU_SECONDS = 10.0
MAX_MEMORY_KB = 1024 * 1024


def _generated(root: Path, name: str) -> None:
    """Cases too large to keep as files: made at test time."""
    (root / "content").mkdir(parents=True)
    (root / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: hostile}\n"
    )
    head = "apiVersion: contentctl/v1\nkind: Post\nmetadata: {name: p}\nspec:\n"
    if name == "value-4-9-megabytes":
        body = f'  post_types: [x-post]\n  captions: {{prompt: "{"y" * 4_900_000}"}}\n'
        expected = "(4,900,000 characters) is too long"
    else:  # yaml-nested-800-levels
        nested = "x: 1"
        for _ in range(800):
            nested = "a:\n" + "\n".join("  " + line for line in nested.split("\n"))
        body = "  extra:\n" + "\n".join("    " + line for line in nested.split("\n")) + "\n"
        expected = "nests deeper than 64 levels"
    (root / "content" / "p.yaml").write_text(head + body)
    (root / "expected.txt").write_text(expected + "\n")


GENERATED = ["value-4-9-megabytes", "yaml-nested-800-levels"]
CASES = [*sorted(p.name for p in CORPUS.iterdir()), *GENERATED]


@pytest.mark.parametrize("case", CASES)
def test_each_hostile_input_is_refused_quickly_and_sends_nothing(case: str, tmp_path: Path) -> None:
    root = tmp_path / case
    if (CORPUS / case).is_dir():
        shutil.copytree(CORPUS / case, root)
    else:
        _generated(root, case)
    if case == "media-fifo":
        (root / "assets").mkdir()
        os.mkfifo(root / "assets" / "f.png")
    expected = (root / "expected.txt").read_text().strip()

    started = time.monotonic()
    with (tmp_path / "out").open("wb") as out, (tmp_path / "err").open("wb") as err:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "contentctl",
                "-C",
                str(root),
                "--sandbox",
                "apply",
                "--auto-approve",
            ],
            env={**os.environ, "NO_COLOR": "1", "CONTENTCTL_SANDBOX_LATENCY": "0"},
            stdout=out,
            stderr=err,
        )
        # wait4 reaps this one process and says what it used (CPU, peak memory in KB).
        _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    cpu, memory = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    stderr = (tmp_path / "err").read_text(errors="replace")
    stdout = (tmp_path / "out").read_text(errors="replace")

    print(
        f"\nhostile {case}: exit {process.returncode}, {cpu:.2f} s CPU, "
        f"{memory / 1024:.0f} MB peak, {wall:.2f} s"
    )
    assert process.returncode == 1, stderr[-2000:]
    assert "Traceback" not in stderr + stdout
    assert expected in stderr, stderr[-2000:]
    if case == "urls-internal-spellings":  # every spelling, each its own error
        assert stderr.count(expected) == 12, stderr
    assert cpu <= MAX_CPU_SECONDS and memory <= MAX_MEMORY_KB
    log = root / ".contentctl" / "sandbox" / "requests.jsonl"
    assert not log.exists() or log.read_text() == ""  # nothing sent

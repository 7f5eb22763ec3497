"""Applies: what the lockfile costs them, how close to the API's own time they run over
HTTP, and which calls a no-op or a one-field change makes."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.measure import CONTENTCTL, Figure, run
from benchmarks.repos import make_repo


def _posts_repo(root: Path, posts: int) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: apply-bench}\n"
    )
    _new_posts(root / "content" / "posts.yaml", posts)
    return root


def lockfile_apply_figures(work: Path, resources: int, posts: int) -> list[Figure]:
    """``posts`` new posts (a caption job and a draft each) applied into a project of
    ``resources`` resources whose lockfile holds real-sized outputs."""
    repo = make_repo(work / f"lockapply{resources}", resources)
    _new_posts(repo / "content" / "new.yaml", posts)
    report = work / "lockapply.json"
    before = _steps(repo / "contentctl.lock")
    run([sys.executable, "-m", "benchmarks.lockfile_apply", str(report), str(repo)])
    data = json.loads(report.read_text())
    steps, final = _steps(repo / "contentctl.lock") - before, int(data["final_size"])
    shutil.rmtree(repo, ignore_errors=True)
    bound = 3 * final + 4096 * steps
    api_bound = math.ceil(posts / 8) * 1.0
    overhead = data["writer_seconds"] / api_bound
    peak = data["peak_kib"] / 1024
    label = f"{posts} new posts into {resources} resources"
    return [
        Figure(f"apply, {label}: steps", steps, "steps", "", None, "bytes"),
        Figure("  lockfile bytes written", data["bytes"] / 2**20, "MiB", "", None, "bytes"),
        Figure("  final lockfile", final / 2**20, "MiB", "", None, "bytes"),
        Figure(
            "  bytes written / bound",
            data["bytes"] / bound,
            "x",
            "<= 1 (3x lock + 4 KB/step)",
            data["bytes"] <= bound,
            "bytes",
        ),
        Figure("  lockfile writer time", data["writer_seconds"], "s", "", None, "writer"),
        Figure(
            "  lockfile overhead / API-bound wall",
            overhead * 100,
            "%",
            "<= 5%",
            overhead <= 0.05,
            "writer",
        ),
        Figure("  peak memory of the apply", peak, "MiB", "<= 400 MiB", peak <= 400, "peak"),
    ]


def _steps(lock: Path) -> int:
    data = json.loads(lock.read_text())
    return sum(len(r["steps"]) for r in data["resources"].values())


def _new_posts(path: Path, posts: int) -> None:
    path.write_text(
        "\n---\n".join(
            f"apiVersion: contentctl/v1\nkind: Post\nmetadata: {{name: new{i}}}\nspec:\n"
            f"  post_types: [x-post]\n  captions: {{prompt: Announcement number {i}}}"
            for i in range(posts)
        )
        + "\n"
    )


class Served:
    """`contentctl sandbox serve` for a repository, on a free loopback port."""

    def __init__(self, repo: Path, latency: float) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        self.origin = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [*CONTENTCTL, "-C", str(repo), "sandbox", "serve", "--port", str(port)],
            env={**os.environ, "CONTENTCTL_SANDBOX_LATENCY": str(latency)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit("contentctl sandbox serve did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def http_apply_figures(
    work: Path, posts: int, parallelisms: list[int], latency: float
) -> list[Figure]:
    """Apply over real HTTP (`contentctl sandbox serve`): the client polls on its own
    schedule, with no knowledge of the sandbox's latency."""
    from contentctl.sandbox.app import Sandbox
    from contentctl.sandbox.state import read_log

    figures = []
    for parallelism in parallelisms:
        repo = _posts_repo(work / f"http{parallelism}", posts)
        server = Served(repo, latency)
        try:
            seconds = run(
                [
                    *CONTENTCTL,
                    "-C",
                    str(repo),
                    "apply",
                    "--auto-approve",
                    "--parallelism",
                    str(parallelism),
                ],
                Sandbox.environ(server.origin),
            )
        finally:
            server.stop()
        log = read_log(repo / ".contentctl" / "sandbox" / "requests.jsonl")
        polls = sum(1 for r in log if r.get("route") == "/content/generations/{generation_id}")
        ideal = math.ceil(posts / parallelism) * latency
        figures += [
            Figure(
                f"apply over HTTP, {posts} posts, {latency:g} s jobs, p{parallelism}",
                seconds,
                "s",
                f"ideal {ideal:g} s",
                None,
                "http",
            ),
            Figure(
                f"  wall / ideal over HTTP, p{parallelism}",
                seconds / ideal,
                "x",
                "<= 1.15x",
                seconds / ideal <= 1.15,
                "http",
            ),
            Figure(
                f"  status polls per job over HTTP, p{parallelism}",
                polls / posts,
                "polls",
                "<= 2",
                polls / posts <= 2,
                "log",
            ),
        ]
    return figures


def call_figures(work: Path) -> list[Figure]:
    from contentctl.sandbox.state import read_log

    repo = work / "calls"
    shutil.copytree(
        Path(__file__).resolve().parent.parent / "examples" / "quickstart",
        repo,
        ignore=shutil.ignore_patterns(".contentctl", "out", "contentctl.lock"),
    )
    env = {"CONTENTCTL_SANDBOX_LATENCY": "0"}
    apply = [*CONTENTCTL, "-C", str(repo), "--sandbox", "apply", "--auto-approve"]
    run(apply, env)
    log = repo / ".contentctl" / "sandbox" / "requests.jsonl"
    before = len(read_log(log))
    run(apply, env)
    noop = len(read_log(log)) - before
    manifest = repo / "content" / "launch.yaml"
    manifest.write_text(manifest.read_text().replace("size: portrait", "size: square"))
    before = len(read_log(log))
    run(apply, env)
    changed = [r for r in read_log(log)[before:] if r["method"] == "POST"]
    return [
        Figure("API calls of a no-op apply", noop, "calls", "= 0", noop == 0, "log"),
        Figure(
            "paid/creating calls after one field (images.size)",
            len(changed),
            "POSTs",
            "= 2 (images, post)",
            len(changed) == 2,
            "log",
        ),
    ]

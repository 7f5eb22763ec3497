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
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import projects
from benchmarks.repos import make_repo

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


PARSE_FLOOR = (
    "import json, sys, yaml; list(yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader)); "
    "json.load(open(sys.argv[2]))"
)
VALIDATE_FLOOR = (
    "import json, sys, yaml, jsonschema\n"
    "schema = json.load(open(sys.argv[3]))\n"
    "check = jsonschema.validators.validator_for(schema)(schema)\n"
    "for doc in yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader):\n"
    "    list(check.iter_errors(doc))\n"
    "json.load(open(sys.argv[2]))\n"
)


def plan_figures(work: Path, sizes: list[int], runs: int) -> list[Figure]:
    """No-op plans of repositories with a lockfile as a real apply leaves it (outputs
    included), each paired with what any tool must at least do with the same files."""
    schemas = work / "plan-schemas"
    subprocess.run([*CONTENTCTL, "schema", "export", str(schemas)], check=True, capture_output=True)
    figures: list[Figure] = []
    warm: dict[int, float] = {}
    for size in sizes:
        big = size >= 10000
        repo = make_repo(work / f"repo{size}", size)
        plan = [*CONTENTCTL, "-C", str(repo), "plan", "--detailed-exitcode"]
        run(plan)  # the first plan of a checkout validates everything and fills the cache
        rendered = work / f"rendered{size}.yaml"
        with rendered.open("w") as out:
            subprocess.run([*CONTENTCTL, "-C", str(repo), "render"], stdout=out, check=True)
        lock = str(repo / "contentctl.lock")
        parse = [sys.executable, "-c", PARSE_FLOOR, str(rendered), lock]
        seconds, floor, ratio = paired(plan, parse, runs)
        warm[size] = seconds
        memory = peak_mib(["-C", str(repo), "plan", "--detailed-exitcode"], work)
        cold_plan = [
            "sh",
            "-c",
            f'rm -rf "{repo}/.contentctl/cache" && exec "$@"',
            "cold",
            *plan,
        ]
        validate = [
            sys.executable,
            "-c",
            VALIDATE_FLOOR,
            str(rendered),
            lock,
            str(schemas / "manifest.schema.json"),
        ]
        cold, cold_floor, cold_ratio = paired(cold_plan, validate, max(1, runs - 2))
        figures += [
            Figure(
                f"no-op plan, {size} resources (warm)",
                seconds,
                "s",
                "<= 1.5 s" if big else "",
                seconds <= 1.5 if big else None,
                "pairs",
            ),
            Figure(
                f"  floor: parse only (PyYAML C + lockfile), {size}", floor, "s", "", None, "pairs"
            ),
            Figure(
                f"  warm plan / parse floor, {size}",
                ratio,
                "x",
                "<= 1.0x" if big else "",
                ratio <= 1.0 if big else None,
                "pairs",
            ),
            Figure(f"  first plan of a checkout (cold), {size}", cold, "s", "", None, "pairs"),
            Figure(
                f"  floor: parse + validate (jsonschema), {size}",
                cold_floor,
                "s",
                "",
                None,
                "pairs",
            ),
            Figure(
                f"  cold plan / parse+validate floor, {size}",
                cold_ratio,
                "x",
                "<= 1.3x" if big else "",
                cold_ratio <= 1.3 if big else None,
                "pairs",
            ),
            Figure(
                f"  peak memory of the plan, {size}",
                memory,
                "MiB",
                "<= 200 MiB" if big else "",
                memory <= 200 if big else None,
                "peak",
            ),
        ]
        shutil.rmtree(repo, ignore_errors=True)
    if 1000 in warm and 10000 in warm:
        growth = warm[10000] / warm[1000]
        figures.append(
            Figure("plan growth, 10k / 1k", growth, "x", "<= 10.5x", growth <= 10.5, "pairs")
        )
    return figures


def validate_figures(work: Path, size: int, runs: int) -> list[Figure]:
    repo = make_repo(work / f"validate{size}", size, applied=False)
    schemas = work / "schemas"
    subprocess.run([*CONTENTCTL, "schema", "export", str(schemas)], check=True, capture_output=True)
    rendered = work / "validate-rendered"
    rendered.mkdir()
    text = subprocess.run(
        [*CONTENTCTL, "-C", str(repo), "render"], capture_output=True, text=True, check=True
    ).stdout
    documents = [d for d in text.split("---\n") if d.strip()]
    for i, document in enumerate(documents):  # one file per manifest, as a repository has
        (rendered / f"m{i}.yaml").write_text(document)
    ours = [  # the fair comparison: nothing cached
        "sh",
        "-c",
        f'rm -rf "{repo}/.contentctl" && exec "$@"',
        "validate",
        *CONTENTCTL,
        "-C",
        str(repo),
        "validate",
    ]
    theirs = [
        sys.executable,
        "-m",
        "check_jsonschema",
        "--schemafile",
        str(schemas / "manifest.schema.json"),
        *map(str, sorted(rendered.glob("*.yaml"))),
    ]
    them, us, ratio = paired(theirs, ours, runs)
    return [
        Figure(f"validate, {len(documents)} manifests (no cache)", us, "s", "", None, "pairs"),
        Figure("  check-jsonschema, same manifests", them, "s", "", None, "pairs"),
        Figure(
            "  check-jsonschema / validate",
            ratio,
            "x",
            ">= 2x" if size >= 1000 else "",
            ratio >= 2 if size >= 1000 else None,
            "pairs",
        ),
    ]


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
    from contentctl.sandbox import Sandbox, read_log

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
    from contentctl.sandbox import read_log

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


GROUPS = ("startup", "calls", "plan", "validate", "lockfile", "http", "projects")


def _groups(work: Path, quick: bool, full_apply: bool) -> dict[str, Callable[[], list[Figure]]]:
    """Each group of figures, as a run of this size measures it (in this order)."""
    if quick:
        return {
            "startup": lambda: startup_figures(work, 1),
            "plan": lambda: plan_figures(work, [100], 1),
            "validate": lambda: validate_figures(work, 100, 1),
            "lockfile": lambda: lockfile_apply_figures(work, 200, 10),
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

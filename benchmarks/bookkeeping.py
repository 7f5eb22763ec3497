"""Costs that must not grow with the project: the live view's work per event, the lockfile
writer's per recorded step, and a plan's per media file once its bytes are known.

Each is measured at two sizes, side by side (A/B interleaved, median of the ratios): a cost
that walked every planned step or record would be about a hundred times higher at the large
size."""

from __future__ import annotations

import io
import random
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from benchmarks.measure import CONTENTCTL, Figure, paired, run
from benchmarks.repos import realistic_outputs

SMALL, LARGE = 100, 10_000


def _interleaved(small: Callable[[], float], large: Callable[[], float], runs: int) -> float:
    """Median of large/small over pairs run alternately."""
    ratios = []
    for i in range(runs):
        if i % 2:
            b, a = large(), small()
        else:
            a, b = small(), large()
        ratios.append(b / a)
    return statistics.median(ratios)


def _live_per_event(resources: int, events: int) -> float:
    """Seconds per event of the live view of a plan of ``resources`` new posts (two steps
    each), events drawn among the first hundred so both sizes get the same ones."""
    from contentctl.apply.results import Event
    from contentctl.plan.diff import Plan, ResourceChange, StepChange
    from contentctl.report.progress import Live

    def change(i: int) -> ResourceChange:
        steps = tuple(StepChange(n, "run", "new", 0, True, None) for n in ("captions", "post"))
        return ResourceChange(f"post/p{i}", "Post", "create", steps)

    live = Live(Plan(tuple(change(i) for i in range(resources)), "", 0), io.StringIO())
    rng = random.Random(7)
    started = time.perf_counter()
    for _ in range(events // 2):
        address, step = f"post/p{rng.randrange(SMALL)}", rng.choice(["captions", "post"])
        live.event(Event("submitted", address, step))
        live.event(Event("completed", address, step, credits=1))
    return (time.perf_counter() - started) / events


def _writer_per_step(work: Path, resources: int, steps: int) -> float:
    """Seconds per recorded step (submitting, then completed) of an apply's lockfile writer
    holding ``resources`` records with real-sized outputs, journal and fsync included."""
    from contentctl.lockfile.records import Lockfile, ResourceRecord, StepRecord
    from contentctl.lockfile.writer import LockfileWriter

    folder = work / f"writer{resources}-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    at = "2026-01-05T09:30:00Z"
    records = {
        f"post/p{i}": ResourceRecord(
            "Post",
            "powerpost",
            {"file": "content/posts.yaml"},
            {
                "captions": StepRecord(
                    "sha256:" + "0" * 64,
                    "completed",
                    outputs=realistic_outputs("captions", f"post/p{i}"),
                    remote_id=str(uuid.uuid4()),
                    credits_used=7.0,
                    submitted_at=at,
                    completed_at=at,
                )
            },
        )
        for i in range(resources)
    }
    lock = Lockfile(lineage=str(uuid.uuid4()), serial=1, resources=records)
    writer = LockfileWriter(folder / "contentctl.lock", lock, journal=True)
    # Once per apply, not per step: the lockfile written as it stands before the journal
    # starts, and the count of remote ids built.
    warm = StepRecord("sha256:" + "2" * 64, "submitting", submitted_at=at)
    writer.record_step("post/warm", "Post", "powerpost", {"file": "x"}, "captions", warm)
    writer.remote_ids("captions")
    started = time.perf_counter()
    for i in range(steps // 2):
        address = f"post/new{i}"
        record = StepRecord("sha256:" + "1" * 64, "submitting", submitted_at=at)
        writer.record_step(address, "Post", "powerpost", {"file": "x"}, "captions", record)
        writer.remote_ids("captions")  # what the executor asks before each submission
        done = StepRecord(
            "sha256:" + "1" * 64,
            "completed",
            outputs=realistic_outputs("captions", address),
            remote_id=str(uuid.uuid4()),
            credits_used=7.0,
            submitted_at=at,
            completed_at=at,
        )
        writer.record_step(address, "Post", "powerpost", {"file": "x"}, "captions", done)
    return (time.perf_counter() - started) / steps


def bookkeeping_figures(work: Path, runs: int) -> list[Figure]:
    events, steps = 4000, 400
    live_small = statistics.median(_live_per_event(SMALL, events) for _ in range(runs))
    live = _interleaved(
        lambda: _live_per_event(SMALL, events), lambda: _live_per_event(LARGE, events), runs
    )
    writer_small = statistics.median(_writer_per_step(work, SMALL, steps) for _ in range(runs))
    writer = _interleaved(
        lambda: _writer_per_step(work, SMALL, steps),
        lambda: _writer_per_step(work, LARGE, steps),
        runs,
    )
    return [
        Figure(f"live view, per event, {SMALL} resources", live_small * 1e6, "us", "", None,
               "pairs"),
        Figure(f"  per event, {LARGE} / {SMALL} resources", live, "x", "<= 1.5x (O(1))",
               live <= 1.5, "pairs"),
        Figure(f"lockfile writer, per step, {SMALL} records", writer_small * 1e3, "ms", "",
               None, "pairs"),
        Figure(f"  per step, {LARGE} / {SMALL} records", writer, "x", "<= 1.5x (O(1))",
               writer <= 1.5, "pairs"),
    ]  # fmt: skip


MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def _media_repo(root: Path, size: int) -> Path:
    """Five videos of ``size`` bytes each, as Media resources."""
    (root / "content").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: media-bench}\n"
    )
    block = random.Random(3).randbytes(1 << 20)
    manifests = []
    for i in range(5):
        with (root / "assets" / f"clip{i}.mp4").open("wb") as out:
            out.write(MP4_HEAD)
            left = size - len(MP4_HEAD)
            while left > 0:
                out.write(block[: min(left, len(block))])
                left -= len(block)
        manifests.append(
            f"apiVersion: contentctl/v1\nkind: Media\nmetadata: {{name: clip{i}}}\n"
            f"spec: {{file: ../assets/clip{i}.mp4}}\n"
        )
    (root / "content" / "media.yaml").write_text("---\n".join(manifests))
    return root


def media_figures(work: Path, runs: int, megabytes: int = 100) -> list[Figure]:
    """A plan of five videos of ``megabytes`` against the same plan of five 1 KB ones: each
    file is hashed once, then known by its size, times and inode."""
    big = _media_repo(work / "media-big", megabytes << 20)
    small = _media_repo(work / "media-small", 1 << 10)
    plans = [[*CONTENTCTL, "-C", str(repo), "--sandbox", "plan"] for repo in (big, small)]
    first = run(plans[0])  # hashes the 500 MB once
    seconds, floor, ratio = paired(plans[0], plans[1], runs)
    return [
        Figure(f"plan, five {megabytes} MB videos, first (hashes them)", first, "s", "", None,
               "median"),
        Figure("  the next plans", seconds, "s", "", None, "pairs"),
        Figure("  the same plan, five 1 KB videos", floor, "s", "", None, "pairs"),
        Figure(f"  {megabytes} MB videos / 1 KB videos", ratio, "x", "<= 1.2x (hashed once)",
               ratio <= 1.2, "pairs"),
    ]  # fmt: skip

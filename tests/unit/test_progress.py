"""Apply progress: a live view on terminals, plain lines elsewhere."""

from __future__ import annotations

import io

from contentctl.apply.executor import Event
from contentctl.plan.diff import Plan, ResourceChange, StepChange
from contentctl.report.progress import Live, Plain


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def _plan() -> Plan:
    def change(address: str) -> ResourceChange:
        steps = tuple(StepChange(n, "run", "new", 0, True, None) for n in ("captions", "post"))
        return ResourceChange(address, "Post", "create", steps)

    return Plan((change("post/a"), change("post/b")), "", 0)


def test_the_live_view_redraws_in_place_with_elapsed_times() -> None:
    stream, clock = io.StringIO(), Clock()
    live = Live(_plan(), stream, clock=clock)

    live.event(Event("submitted", "post/a", "captions", remote_id="g1"))
    clock.now += 7
    live.draw()
    live.event(Event("completed", "post/a", "captions", credits=6))
    live.event(Event("failed", "post/b", "captions", message="out of credits"))

    frames = stream.getvalue().split("\x1b[")
    assert "post/a captions  polling 7s" in stream.getvalue()
    assert live.lines() == ["[3/4 steps, 6 credits so far; 1 queued, 1 failed, 1 skipped]"]
    assert len(frames) > 3 and frames[1].startswith("2F")  # cursor back over the last block


def test_the_live_view_keeps_a_line_per_finished_step() -> None:
    stream = io.StringIO()
    live = Live(_plan(), stream, clock=Clock())

    live.event(Event("submitted", "post/a", "captions", remote_id="g1"))
    live.event(Event("completed", "post/a", "captions", credits=6, elapsed=1.5))
    live.event(Event("unchanged", "post/a", "post", message="inputs came back unchanged"))
    live.event(Event("failed", "post/b", "captions", message="out of credits"))
    for _ in range(3):
        live.draw()

    written = stream.getvalue()
    for line in (
        "✓ post/a captions: done (6 credits) in 1.5s\n",
        "post/a post: kept: inputs came back unchanged\n",
        "post/b captions: FAILED: out of credits\n",
    ):
        assert written.count(line) == 1  # printed once, above the block, never redrawn
    assert written.endswith("[4/4 steps, 6 credits so far; 1 failed, 1 skipped]\n")


def test_plain_progress_writes_one_line_per_event_with_the_running_count() -> None:
    lines: list[str] = []
    plain = Plain(lines.append, _plan())
    plain.event(Event("submitted", "post/a", "captions", remote_id="g1"))
    plain.event(Event("completed", "post/a", "captions", credits=6, elapsed=1.5))
    plain.event(Event("skipped", "post/b", message="not attempted: media/x failed"))
    assert lines == [
        "post/a captions: submitted (job g1)   [0/4 steps, 0 credits so far]",
        "post/a captions: done (6 credits) in 1.5s   [1/4 steps, 6 credits so far]",
        "post/b: skipped: not attempted: media/x failed   [3/4 steps, 6 credits so far]",
    ]
    assert not any("\x1b" in line for line in lines)

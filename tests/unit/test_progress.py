"""Apply progress: a live view on terminals, plain lines elsewhere."""

from __future__ import annotations

import io
from pathlib import Path

from contentctl.apply import Event
from contentctl.plan import Plan, ResourceChange, StepChange
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
    live.event(Event("completed", "post/a", "captions"))
    live.event(Event("failed", "post/b", "captions", message="out of credits"))

    frames = stream.getvalue().split("\x1b[")
    assert "post/a captions  polling 7s" in stream.getvalue()
    assert live.lines()[-1] == "[queued 1  done 1  failed 1  skipped 1]"
    assert "post/b captions: FAILED: out of credits" in live.lines()[0]
    assert len(frames) > 3 and frames[1].startswith("2F")  # cursor back over the last block


def test_plain_progress_writes_one_line_per_event(tmp_path: Path) -> None:
    lines: list[str] = []
    plain = Plain(lines.append)
    plain.event(Event("submitted", "post/a", "captions", remote_id="g1"))
    plain.event(Event("completed", "post/a", "captions", credits=6, elapsed=1.5))
    assert lines == [
        "post/a captions: submitted (job g1)",
        "post/a captions: done (6 credits) in 1.5s",
    ]
    assert not any("\x1b" in line for line in lines)

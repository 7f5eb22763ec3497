"""Apply progress: a live view on terminals, plain lines elsewhere."""

from __future__ import annotations

import io

from contentctl.apply.results import Event
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


def test_each_event_costs_the_same_however_large_the_plan() -> None:
    """No walk over every planned step per event or redraw: the counts, the steps in flight
    and each resource's steps are kept as they change (and agree with a full recount)."""
    import random

    from contentctl.report.progress import STATES

    def change(i: int) -> ResourceChange:
        steps = tuple(StepChange(n, "run", "new", 0, True, None) for n in ("captions", "post"))
        return ResourceChange(f"post/p{i}", "Post", "create", steps)

    plan = Plan(tuple(change(i) for i in range(300)), "", 0)
    clock = Clock()
    live = Live(plan, io.StringIO(), clock=clock)
    recount = dict(live.tally.state)

    class NoWalk(dict):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            raise AssertionError("walked every planned step")

        def items(self):  # type: ignore[no-untyped-def]
            raise AssertionError("walked every planned step")

        def values(self):  # type: ignore[no-untyped-def]
            raise AssertionError("walked every planned step")

    live.tally.state = NoWalk(live.tally.state)
    rng = random.Random(5)
    for _ in range(600):
        i = rng.randrange(300)
        step = rng.choice(["captions", "post"])
        kind = rng.choice(["submitted", "completed", "failed", "skipped", "submitted"])
        live.event(Event(kind, f"post/p{i}", step, credits=1))  # type: ignore[arg-type]
        key = f"post/p{i} {step}"
        if kind == "submitted":
            recount[key] = "polling"
        elif kind == "completed":
            recount[key] = "done"
        else:
            recount[key] = kind
            for name in (f"post/p{i} captions", f"post/p{i} post"):
                if recount[name] == "queued":
                    recount[name] = "skipped"
    expected = {state: list(recount.values()).count(state) for state in STATES}
    assert live.tally.counts() == expected
    in_flight = [k for k, s in recount.items() if s == "polling"]
    assert live.tally.polling() == in_flight  # in the plan's order
    finished = expected["done"] + expected["failed"] + expected["skipped"]
    assert str(live.tally).startswith(f"{finished}/600 steps")

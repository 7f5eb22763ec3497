"""The executor as a function of a plan, a lockfile and an API (the in-process sandbox): what it
sends, what it records, what it costs, and that what is recorded is never paid for again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from contract_helpers import QUICK, Api, start

from contentctl.apply.executor import Executor
from contentctl.apply.results import ApplyResult, Event
from contentctl.config import Polling
from contentctl.graph import Graph, build_graph
from contentctl.lockfile.records import Lockfile
from contentctl.lockfile.writer import LockfileWriter
from contentctl.model import Document, Positions, Resource
from contentctl.plan.diff import make_plan

POST = {
    "post_types": ["x-post", "linkedin-post"],
    "captions": {"prompt": "We shipped dark mode", "research_mode": "regular"},
    "images": {"size": "square", "quantity": 1},
    "publish": False,
}
BRISK = Polling(initial_delay=0, interval=0.01, backoff=1.0, max_interval=0.01, timeout=30)
LOOK_ONCE = replace(BRISK, timeout=0)  # what --no-wait does: collect what is done, leave the rest


def graph() -> Graph:
    file = "content/launch.yaml"
    post = Resource("Post", "launch", POST, Document(file, 0, {"spec": POST}, Positions(file)))
    built, problems = build_graph([post])
    assert not problems
    return built


def apply(
    api: Api, writer: LockfileWriter, polling: Polling = BRISK
) -> tuple[ApplyResult, float, list[Event]]:
    """One apply of a fresh plan against the writer's lockfile: (result, planned credits,
    events)."""
    plan = make_plan(api.project(), graph(), writer.current)
    planned = sum(s.credits for c in plan.changes for s in c.steps if s.action == "run")
    events: list[Event] = []

    async def scenario(api: Api) -> ApplyResult:
        async with api.clients() as providers:
            return await Executor(
                api.project(),
                graph(),
                plan,
                writer,
                providers,
                parallelism=2,
                polling={"powerpost": polling, "postnitro": polling},
                on_event=events.append,
            ).run()

    return api.run(scenario), planned, events


def paid_submissions(api: Api) -> list[dict[str, Any]]:
    return [
        e
        for e in api.log()
        if e.get("method") == "POST"
        and any(p in str(e.get("path")) for p in ("/content/generate", "/images/generate"))
    ]


def fresh(tmp_path: Path, **env: str) -> tuple[Api, LockfileWriter]:
    api = start("in-process", tmp_path, {**QUICK, **env})
    empty = Lockfile("", 0, exists=False)
    return api, LockfileWriter(tmp_path / "contentctl.lock", empty, journal=True)


def test_a_new_post_costs_exactly_what_its_plan_said_and_every_step_is_recorded(
    tmp_path: Path,
) -> None:
    api, writer = fresh(tmp_path)

    result, planned, _ = apply(api, writer)

    assert result.ok, result
    assert planned > 0 and result.credits_used == planned
    steps = writer.current.resources["post/launch"].steps
    assert {n: s.status for n, s in steps.items()} == dict.fromkeys(steps, "completed")
    assert all(s.remote_id for n, s in steps.items() if n in ("captions", "images", "post"))


def test_a_second_apply_of_the_same_manifests_sends_nothing(tmp_path: Path) -> None:
    api, writer = fresh(tmp_path)
    apply(api, writer)
    requests = len(api.log())

    result, planned, events = apply(api, writer)

    assert (result.ok, planned, result.credits_used, result.steps_run) == (True, 0, 0, 0)
    assert events == [] and len(api.log()) == requests


def test_a_job_left_running_is_collected_later_without_being_paid_for_again(
    tmp_path: Path,
) -> None:
    api, writer = fresh(tmp_path, CONTENTCTL_SANDBOX_LATENCY="0.3")

    first, planned, _ = apply(api, writer, LOOK_ONCE)
    left = {n: s.status for n, s in writer.current.resources["post/launch"].steps.items()}
    second, _, _ = apply(api, writer)

    assert first.still_running and left.get("captions") == "pending"
    assert second.ok
    # Each paid job was submitted once over both applies: the second collected the job the
    # first left running, and submitted only what waited on it.
    assert sorted(str(e["path"]).rsplit("/", 2)[-2] for e in paid_submissions(api)) == [
        "content",
        "images",
    ]
    recorded = writer.current.resources["post/launch"].steps.values()
    assert sum(s.credits_used or 0 for s in recorded) == planned

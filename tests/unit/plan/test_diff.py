"""The planner as a function: resources and a lockfile in, a plan out. Each case builds the
lockfile an earlier apply would have left, from the planner's own hashes, and changes one
thing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from contentctl.config import Project, load_project
from contentctl.graph import Graph, build_graph
from contentctl.lockfile.records import Lockfile, ResourceRecord, StepRecord
from contentctl.model import Document, Positions, Resource
from contentctl.plan.changes import Plan, PlanOptions, ResourceChange
from contentctl.plan.diff import make_plan
from contentctl.plan.reasons import Why

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
CAPTIONS = {"prompt": "We shipped dark mode", "research_mode": "regular"}
POST: dict[str, Any] = {"post_types": ["x-post"], "captions": CAPTIONS, "publish": False}
SCHEDULE = {"carousel": "carousel/tips", "at": "2026-06-02T09:00:00Z", "status": "DRAFT"}
CAROUSEL = {"template": "tmpl-1", "brand": "brand-1", "slides": [{"title": "One"}]}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "content").mkdir()
    (tmp_path / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: unit}\n"
        "spec: {content: [content]}\n"
    )
    return load_project(tmp_path, environ={})


def resource(kind: str, name: str, spec: dict[str, Any]) -> Resource:
    file = f"content/{name}.yaml"
    doc = Document(file, 0, {"kind": kind, "spec": spec}, Positions(file))
    return Resource(kind, name, spec, doc)


def graph(*resources: Resource) -> Graph:
    built, problems = build_graph(resources)
    assert not problems
    return built


EMPTY = Lockfile("lineage-1", 0, exists=False)


def applied(project: Project, g: Graph, lock: Lockfile = EMPTY) -> Lockfile:
    """The lockfile an apply of ``make_plan``'s steps would leave (every step completed)."""
    plan = make_plan(project, g, lock, now=NOW)
    resources = dict(lock.resources)
    for change in plan.changes:
        if change.action == "delete":
            resources.pop(change.address, None)
            continue
        before = resources.get(change.address)
        steps = dict(before.steps) if before else {}
        for step in change.steps:
            # A step waiting on an upstream result has no hash yet: a later round records it.
            if step.action != "keep" and step.input_hash is not None:
                steps[step.name] = StepRecord(
                    input_hash=step.input_hash,
                    status="completed",
                    inputs=step.inputs,
                    remote_id=f"{change.address}#{step.name}",
                )
        provider = "postnitro" if change.kind in {"Carousel", "Schedule"} else "powerpost"
        resources[change.address] = ResourceRecord(change.kind, provider, steps=steps)
    return Lockfile(lock.lineage, lock.serial + 1, resources)


def settled(project: Project, g: Graph) -> Lockfile:
    lock = applied(project, g)
    for _ in range(3):  # a chain of steps each waiting on the one before settles in rounds
        lock = applied(project, g, lock)
    return lock


def steps_of(plan: Plan, address: str) -> dict[str, tuple[str, Why]]:
    change = next(c for c in plan.changes if c.address == address)
    return {s.name: (s.action, s.why) for s in change.steps}


def test_a_new_post_runs_every_step_as_new_and_its_paid_steps_cost_credits(
    project: Project,
) -> None:
    plan = make_plan(project, graph(resource("Post", "launch", POST)), EMPTY, now=NOW)

    (change,) = plan.changes
    assert change.action == "create"
    assert {s.why for s in change.steps} <= {Why.NEW, Why.AFTER}
    assert all(s.action == "run" for s in change.steps)
    assert sum(s.credits for s in change.steps if s.paid) > 0
    assert all(s.credits == 0 for s in change.steps if not s.paid)


def test_a_lockfile_that_holds_every_planned_hash_plans_nothing(project: Project) -> None:
    g = graph(resource("Post", "launch", POST))

    plan = make_plan(project, g, settled(project, g), now=NOW)

    assert all(s.action == "keep" for c in plan.changes for s in c.steps)
    assert all(s.why == Why.UNCHANGED for c in plan.changes for s in c.steps)


def test_a_changed_prompt_reruns_captions_names_the_field_and_what_waits_on_it(
    project: Project,
) -> None:
    lock = settled(project, graph(resource("Post", "launch", POST)))
    edited = {**POST, "captions": {**CAPTIONS, "prompt": "Dark mode, at last"}}

    plan = make_plan(project, graph(resource("Post", "launch", edited)), lock, now=NOW)

    change = next(c for c in plan.changes if c.address == "post/launch")
    captions = next(s for s in change.steps if s.name == "captions")
    assert (captions.action, captions.why) == ("run", Why.CHANGED)
    assert [f.field for f in captions.changes] == ["captions.prompt"]
    assert captions.changes[0].before == "We shipped dark mode"
    later = [s for s in change.steps if s.name != "captions" and s.action == "run"]
    assert later and all(s.why == Why.AFTER for s in later)


def test_a_published_post_that_changes_is_refused_unless_republishing_is_allowed(
    project: Project,
) -> None:
    published = {**POST, "publish": True}
    lock = settled(project, graph(resource("Post", "launch", published)))
    edited = {**published, "captions": {**CAPTIONS, "prompt": "Changed after going out"}}
    g = graph(resource("Post", "launch", edited))

    refused = steps_change(make_plan(project, g, lock, now=NOW), "post/launch")
    allowed = steps_change(
        make_plan(project, g, lock, PlanOptions(allow_republish=True), now=NOW), "post/launch"
    )

    assert refused.blocked and "--allow-republish" in refused.blocked
    assert allowed.blocked is None


def test_a_resource_whose_manifest_is_gone_is_planned_last(project: Project) -> None:
    both = graph(resource("Post", "a", POST), resource("Post", "b", POST))
    lock = settled(project, both)

    plan = make_plan(project, graph(resource("Post", "a", POST)), lock, now=NOW)

    assert plan.changes[-1].address == "post/b"
    assert plan.changes[-1].action in {"forget", "delete"}


def test_a_schedule_whose_time_has_passed_is_refused_with_the_fix(project: Project) -> None:
    g = graph(resource("Carousel", "tips", CAROUSEL), resource("Schedule", "out", SCHEDULE))
    later = NOW.replace(month=7)

    on_time = steps_change(make_plan(project, g, EMPTY, now=NOW), "schedule/out")
    too_late = steps_change(make_plan(project, g, EMPTY, now=later), "schedule/out")

    assert on_time.blocked is None
    assert too_late.blocked and too_late.unblock and "spec.at" in too_late.unblock


def test_selecting_one_resource_leaves_the_others_out_of_the_plan(project: Project) -> None:
    g = graph(resource("Post", "a", POST), resource("Post", "b", POST))

    plan = make_plan(project, g, EMPTY, PlanOptions(select=("post/a",)), now=NOW)

    assert [c.address for c in plan.changes] == ["post/a"]


def test_replace_reruns_a_settled_resource_from_its_first_step(project: Project) -> None:
    g = graph(resource("Post", "launch", POST))
    lock = settled(project, g)

    plan = make_plan(project, g, lock, PlanOptions(replace=("post/launch",)), now=NOW)

    steps = steps_of(plan, "post/launch")
    assert steps and all(action == "run" for action, _ in steps.values())


def steps_change(plan: Plan, address: str) -> ResourceChange:
    return next(c for c in plan.changes if c.address == address)


def test_the_plan_carries_the_lockfiles_lineage_and_serial(project: Project) -> None:
    lock = replace(EMPTY, lineage="abc", serial=7)

    plan = make_plan(project, graph(resource("Post", "a", POST)), lock, now=NOW)

    assert (plan.lineage, plan.serial) == ("abc", 7)


def test_a_refused_change_is_not_also_listed_as_content_waiting_for_review(
    tmp_path: Path,
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: unit}\n"
        "spec: {content: [content], publishing: reviewed}\n"
    )
    reviewed = load_project(tmp_path, environ={})
    published = {**POST, "publish": True}
    lock = settled(reviewed, graph(resource("Post", "launch", published)))
    edited = {**published, "captions": {**CAPTIONS, "prompt": "Changed after going out"}}

    plan = make_plan(reviewed, graph(resource("Post", "launch", edited)), lock, now=NOW)

    assert steps_change(plan, "post/launch").blocked
    assert plan.needs_review == ()

"""Step hashes: exactly the fields a step sends, plus the identities of what it consumes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contentctl import graph
from contentctl.kinds import steps_for
from contentctl.lockfile.records import StepRecord
from contentctl.model import Document, Positions, Reference, Resource
from contentctl.plan.steps import input_hash


def _post(spec: dict[str, Any], name: str = "p") -> Resource:
    doc = Document("content/p.yaml", 0, {"spec": spec}, Positions("content/p.yaml"))
    return Resource("Post", name, spec, doc)


BASE = {
    "post_types": ["instagram-feed"],
    "captions": {"prompt": "Dark mode is here"},
    "images": {"size": "portrait"},
}


def _hashes(spec: dict[str, Any]) -> dict[str, str]:
    steps = steps_for(_post(spec), Path("."))
    upstream = {
        "post/p#captions": StepRecord("h", "completed", remote_id="g1"),
        "post/p#images": StepRecord("h", "completed", remote_id="i1"),
    }
    return {s.name: input_hash(s, {u.key: upstream[u.key] for u in s.upstream}) for s in steps}


def test_a_post_has_captions_images_post_and_publish_only_when_asked() -> None:
    assert [s.name for s in steps_for(_post(BASE), Path("."))] == ["captions", "images", "post"]
    published = {**BASE, "publish": True}
    assert [s.name for s in steps_for(_post(published), Path("."))][-1] == "publish"
    literal = {"post_types": ["x-post"], "captions": {"text": {"x": "hi"}}}
    assert [s.name for s in steps_for(_post(literal), Path("."))] == ["post"]


def test_changing_image_size_changes_only_the_images_hash() -> None:
    before = _hashes(BASE)
    after = _hashes({**BASE, "images": {"size": "square"}})
    assert before["captions"] == after["captions"]
    assert before["images"] != after["images"]
    assert before["post"] == after["post"]  # it changes through the new images' id


def test_defaults_written_out_hash_the_same_as_left_out() -> None:
    explicit = {
        **BASE,
        "images": {"size": "portrait", "quantity": 1, "model": "flux2-flex"},
        "captions": {"prompt": "Dark mode is here", "research_mode": "regular"},
    }
    assert _hashes(BASE) == _hashes(explicit)


def test_an_upstream_result_with_a_new_id_changes_the_downstream_hash() -> None:
    images = steps_for(_post(BASE), Path("."))[1]
    first = input_hash(images, {"post/p#captions": StepRecord("h", "completed", remote_id="g1")})
    second = input_hash(images, {"post/p#captions": StepRecord("h", "completed", remote_id="g2")})
    assert first != second


def test_a_cycle_is_an_error_naming_the_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    def node(name: str, target: str) -> Resource:
        positions = Positions(f"content/{name}.yaml", {("metadata", "name"): (3, 9)})
        doc = Document(f"content/{name}.yaml", 0, {}, positions)
        ref = Reference(target, ("spec", "images", "media", 0))
        return Resource("Post", name, {}, doc, references=(ref,))

    # Posts cannot reference posts through the schema; the graph still guards the invariant.
    monkeypatch.setattr(
        graph, "REFERENCE_FIELDS", {"Post": ((("images", "media"), frozenset({"post"})),)}
    )
    _graph, problems = graph.build_graph([node("a", "post/b"), node("b", "post/a")])

    assert len(problems) == 1
    assert problems[0].message in (
        "reference cycle: post/a -> post/b -> post/a",
        "reference cycle: post/b -> post/a -> post/b",
    )
    assert (problems[0].location.line, problems[0].location.col) == (3, 9)


def test_every_step_the_planner_makes_has_a_runner_that_agrees_on_money() -> None:
    """The plan estimates and the executor acts on the same declarations: a step the plan
    calls paid is one its runner will never send again while it may have been accepted."""
    from helpers import EXAMPLES

    from contentctl.config import load_project
    from contentctl.kinds import runners
    from contentctl.load.variables import Overrides
    from contentctl.validate.manifests import check_project

    RUNNERS = runners()
    seen = set()
    for example in ("full-campaign", "quickstart", "campaign"):
        project = load_project(EXAMPLES / example)
        resources = list(check_project(project, Overrides(None, ())).graph.resources.values())
        for resource in [*resources, _post({**BASE, "publish": True})]:
            for spec in steps_for(resource, project.root):
                runner = RUNNERS[(resource.kind, spec.name)]
                assert runner.paid == spec.paid, (resource.kind, spec.name)
                assert runner.in_place == spec.in_place, (resource.kind, spec.name)
                seen.add((resource.kind, spec.name))
    assert seen == set(RUNNERS)  # the examples exercise every runner

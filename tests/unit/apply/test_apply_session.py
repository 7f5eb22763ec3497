"""An apply's decisions, without a terminal or an API: what the gate refuses, when the person
running it is asked, and what runs when contentctl.lock changed while it waited for the lease."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contentctl.apply import session
from contentctl.apply.gate import Gate
from contentctl.apply.options import Approval, RunOptions
from contentctl.config import Project, load_project
from contentctl.errors import ApprovalError, ContentctlError, StalePlanError
from contentctl.graph import build_graph
from contentctl.lockfile.read import read
from contentctl.lockfile.records import Lockfile
from contentctl.lockfile.text import dumps
from contentctl.plan.changes import Plan, ResourceChange, StepChange
from contentctl.plan.project import Planned
from contentctl.validate.manifests import Manifests

RUNNING = RunOptions(None, False, False, commit=False, push=False, checkpoint=False)
ASKED = Approval(saved=False, auto_approve=False, max_credits=None, allow_publish=False)


def _project(root: Path, spec: str = "{content: [content]}") -> Project:
    (root / "content").mkdir(exist_ok=True)
    (root / "contentctl.yaml").write_text(
        f"apiVersion: contentctl/v1\nkind: Project\nmetadata: {{name: unit}}\nspec: {spec}\n"
    )
    return load_project(root, environ={})


def _change(
    address: str,
    credits: float = 0.0,
    *,
    publishes: bool = False,
    blocked: str | None = None,
    unblock: str | None = None,
) -> ResourceChange:
    step = StepChange("captions", "run", "new", credits, credits > 0, None, publishes=publishes)
    return ResourceChange(address, "Post", "create", (step,), blocked=blocked, unblock=unblock)


def _plan(*changes: ResourceChange) -> Plan:
    return Plan(changes, "lineage-1", 1)


class Person:
    """The Ui of a test: records what it was shown and asked; says yes unless told not to."""

    def __init__(self, on_approve: Callable[[], None] = lambda: None) -> None:
        self.seen: list[str] = []
        self.on_approve = on_approve

    def say(self, text: str) -> None:
        self.seen.append("said: " + text.strip().split(":")[0])

    def warn(self, text: str) -> None:
        self.seen.append("warned: " + text.strip())

    def show(self, the_plan: Plan) -> None:
        self.seen.append("shown: " + ", ".join(c.address for c in the_plan.changes))

    def approve(self) -> None:
        self.seen.append("asked")
        self.on_approve()

    def approve_publishing(self, names: str) -> None:
        self.seen.append("asked to publish " + names)


def test_a_refused_change_stops_the_apply_naming_each_way_to_allow_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    gate = Gate.of(project, None, False, Person().approve_publishing)
    refused = _plan(
        _change("post/a", blocked="published", unblock="--allow-republish"),
        _change("post/b", blocked="published", unblock="--allow-republish"),
        _change("schedule/c", blocked="too late", unblock="move spec.at later"),
    )

    with pytest.raises(ContentctlError) as raised:
        gate.check(refused)

    assert raised.value.hint == "--allow-republish; move spec.at later"


def test_the_budget_is_the_command_lines_else_the_projects(tmp_path: Path) -> None:
    project = _project(tmp_path, "{content: [content], budget: {max_credits: 10}}")
    costly = _plan(_change("post/a", 15))

    with pytest.raises(ContentctlError, match="15 credits, over the budget of 10"):
        Gate.of(project, None, False, Person().approve_publishing).check(costly)
    Gate.of(project, 20, False, Person().approve_publishing).check(costly)


def test_publishing_is_asked_for_once_per_resource(tmp_path: Path) -> None:
    person = Person()
    gate = Gate.of(_project(tmp_path), None, False, person.approve_publishing)

    gate.publishing(_plan(_change("post/a", publishes=True)))
    gate.publishing(_plan(_change("post/a", publishes=True), _change("post/b", publishes=True)))

    assert person.seen == ["asked to publish post/a", "asked to publish post/b"]


@pytest.mark.parametrize(
    ("spec", "allow_publish"),
    [
        ("{content: [content]}", True),
        ("{content: [content], allow_publish: true}", False),
        ("{content: [content], publishing: reviewed}", False),
    ],
    ids=["--allow-publish", "spec.allow_publish", "reviewed"],
)
def test_publishing_allowed_or_reviewed_is_not_asked_for(
    tmp_path: Path, spec: str, allow_publish: bool
) -> None:
    person = Person()
    gate = Gate.of(_project(tmp_path, spec), None, allow_publish, person.approve_publishing)

    gate.publishing(_plan(_change("post/a", publishes=True)))

    assert person.seen == []


def _planned(project: Project, the_plan: Plan) -> Planned:
    graph, problems = build_graph([])
    assert not problems
    return Planned(project, Manifests(graph, ()), read(project.lockfile_path), the_plan)


def _write_lockfile(project: Project, serial: int) -> None:
    text = dumps(Lockfile("lineage-1", serial).to_json())
    project.lockfile_path.write_text(text, encoding="utf-8")


def _apply(
    project: Project, plans: list[Planned], person: Person, approval: Approval = ASKED
) -> list[Planned]:
    """Apply what ``plans`` give one after the other (the first, then under the lease);
    returns what ran."""
    given = iter(plans)
    ran: list[Planned] = []
    session.apply(project, approval, RUNNING, lambda: next(given), ran.append, person)
    return ran


def test_nothing_to_do_is_shown_and_neither_asked_for_nor_run(tmp_path: Path) -> None:
    project = _project(tmp_path)
    person = Person()

    assert _apply(project, [_planned(project, _plan())], person) == []
    assert person.seen == ["shown: "]


def test_the_approved_plan_is_what_runs_when_the_lockfile_stayed_the_same(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    _write_lockfile(project, 1)
    planned = _planned(project, _plan(_change("post/a", 5)))
    person = Person()

    ran = _apply(project, [planned], person)

    assert ran == [planned] and ran[0] is planned
    assert person.seen == ["shown: post/a", "asked"]


@pytest.mark.parametrize(
    "approval",
    [
        Approval(saved=True, auto_approve=False, max_credits=None, allow_publish=False),
        Approval(saved=False, auto_approve=True, max_credits=None, allow_publish=False),
    ],
    ids=["saved plan", "--auto-approve"],
)
def test_a_saved_plan_or_auto_approve_is_not_asked_for(tmp_path: Path, approval: Approval) -> None:
    project = _project(tmp_path)
    planned = _planned(project, _plan(_change("post/a", 5)))
    person = Person()

    assert _apply(project, [planned], person, approval) == [planned]
    assert person.seen == ["shown: post/a"]


def test_a_lockfile_changed_while_asking_is_planned_again_and_asked_again(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    _write_lockfile(project, 1)
    first = _planned(project, _plan(_change("post/a", 5), _change("post/b", 5)))
    # Another apply finishes while this one waits for its yes: post/a is done.
    person = Person(on_approve=lambda: _write_lockfile(project, 2))
    again = _planned(project, _plan(_change("post/b", 5)))

    assert _apply(project, [first, again], person) == [again]
    assert person.seen == [
        "shown: post/a, post/b",
        "asked",
        "said: contentctl.lock changed while this apply waited (another apply finished?)",
        "shown: post/b",
        "asked",
    ]


def test_a_plan_made_again_that_is_the_same_runs_without_asking_again(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    _write_lockfile(project, 1)
    person = Person(on_approve=lambda: _write_lockfile(project, 2))
    again = _planned(project, _plan(_change("post/a", 5)))

    ran = _apply(project, [_planned(project, _plan(_change("post/a", 5))), again], person)

    assert ran == [again] and person.seen == ["shown: post/a", "asked"]


def test_a_plan_made_again_with_nothing_left_runs_nothing(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _write_lockfile(project, 1)
    person = Person(on_approve=lambda: _write_lockfile(project, 2))
    first = _planned(project, _plan(_change("post/a", 5)))

    assert _apply(project, [first, _planned(project, _plan())], person) == []
    assert person.seen[-1] == "shown: "


def test_a_saved_plan_is_stale_once_the_lockfile_changed_while_apply_waited(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    _write_lockfile(project, 1)
    saved = Approval(saved=True, auto_approve=False, max_credits=None, allow_publish=False)
    planned = _planned(project, _plan(_change("post/a", 5, publishes=True)))

    class Publisher(Person):
        def approve_publishing(self, names: str) -> None:
            _write_lockfile(project, 2)  # another apply finished meanwhile

    with pytest.raises(StalePlanError, match="serial 1 then, 2 now"):
        _apply(project, [planned], Publisher(), saved)


def test_a_refusal_to_publish_runs_nothing(tmp_path: Path) -> None:
    project = _project(tmp_path)
    planned = _planned(project, _plan(_change("post/a", publishes=True)))

    class Refuses(Person):
        def approve_publishing(self, names: str) -> None:
            raise ApprovalError("publishing not approved; nothing was applied")

    with pytest.raises(ApprovalError):
        _apply(project, [planned], Refuses())

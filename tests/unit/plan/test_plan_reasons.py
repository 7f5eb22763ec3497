"""A step's fate is decided by values, not by words: each record state leads to one action
and one Why, and the reports read the Why, so a reworded message changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from contentctl.lockfile.records import StepRecord, StepStatus
from contentctl.plan.diff import FieldChange, Plan, ResourceChange, StepChange, decide
from contentctl.plan.reasons import Why
from contentctl.plan.steps import IMPORTED_HASH
from contentctl.report import plan_text, text

HASH = "sha256:" + "1" * 64
OTHER = "sha256:" + "2" * 64


def record(status: StepStatus = "completed", input_hash: str = HASH, **extra: Any) -> StepRecord:
    return StepRecord(input_hash=input_hash, status=status, **extra)


@pytest.mark.parametrize(
    ("previous", "new_hash", "waiting_on", "expected"),
    [
        (None, HASH, None, ("run", Why.NEW)),
        (record("failed", error="quota"), HASH, None, ("run", Why.FAILED)),
        (record(), None, "post/a captions", ("run", Why.AFTER)),
        (record(input_hash=IMPORTED_HASH), HASH, None, ("run", Why.IMPORTED)),
        (record(), OTHER, None, ("run", Why.CHANGED)),
        (record("pending", remote_id="job-1"), HASH, None, ("resume", Why.PENDING)),
        (record("submitting"), HASH, None, ("resume", Why.SUBMITTING)),
        (record(), HASH, None, ("keep", Why.UNCHANGED)),
    ],
)
def test_each_record_state_has_one_action_and_one_why(
    previous: StepRecord | None, new_hash: str | None, waiting_on: str | None, expected: Any
) -> None:
    action, why, message = decide(previous, new_hash, (), waiting_on)

    assert (action, why) == expected
    assert message  # every decision is also said in words


def test_the_message_names_the_changed_fields() -> None:
    changed = (FieldChange("images.size", "square", "portrait"),)

    assert decide(record(), OTHER, changed, None)[2] == "changed: images.size"


def _plan_text(step: StepChange) -> str:
    change = ResourceChange("post/a", "Post", "update", (step,))
    return plan_text.plan(Plan((change,), "lineage", 1), text.Style(color=False))


def _resource_line(step: StepChange) -> str:
    return next(line for line in _plan_text(step).splitlines() if "post/a" in line)


@pytest.mark.parametrize("why", [Why.NEW, Why.AFTER])
def test_the_plan_line_leaves_out_new_and_waiting_steps_whatever_their_words(why: Why) -> None:
    step = StepChange("captions", "run", "a reworded message", 1, True, None, why=why)

    assert "a reworded message" not in _resource_line(step)


def test_the_plan_line_says_why_a_changed_step_runs_even_if_its_words_start_like_new() -> None:
    step = StepChange("captions", "run", "new prompt wording", 1, True, None, why=Why.CHANGED)

    assert "new prompt wording" in _resource_line(step)

"""The comment of many projects says one thing per project: its head, its table and its
section agree on whether the project's plan job left a plan."""

from __future__ import annotations

from contentctl.report.projects import Section, comment

PLAN = {"summary": {"credits": 12}, "changes": [{"address": "post/a"}, {"address": "post/b"}]}


def test_a_plan_saved_without_its_comment_is_counted_and_not_called_missing() -> None:
    text = comment([Section("brands/east", "east", PLAN, None)], None)

    assert "No plan" not in text
    assert "| `brands/east` | 2 | 12 |" in text
    assert "2 changes, estimated 12 credits" in text
    assert "contentctl -C brands/east plan" in text


def test_a_project_without_a_plan_is_missing_everywhere_even_with_a_comment() -> None:
    text = comment([Section("brands/west", "west", None, "## contentctl plan\nstale")], None)

    assert "**No plan for:** `brands/west`" in text
    assert "No plan: the plan job of this project failed." in text
    assert "stale" not in text

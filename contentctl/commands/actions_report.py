"""What `plan` and `apply` leave for GitHub Actions when they run there: the job summary, the
step outputs, and the pull request comment's Markdown beside the saved plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.commands.context import App

if TYPE_CHECKING:
    from contentctl.apply.results import ApplyResult
    from contentctl.plan.diff import Plan
    from contentctl.plan.project import Planned


def plan_outputs(app: App, planned: Planned, out: Path | None, generated: str = "") -> None:
    from contentctl.report import github_actions, markdown

    if not github_actions.active(app.environ):
        return
    the_plan = planned.plan
    body = markdown.plan(the_plan, markdown.BUDGET - len(generated)) + generated
    github_actions.append_summary(app.environ, body)
    comment = github_actions.comment_path(planned.project.state_dir, out)
    comment.parent.mkdir(parents=True, exist_ok=True)
    comment.write_text(body, encoding="utf-8")
    github_actions.set_outputs(
        app.environ,
        has_changes=the_plan.has_changes,
        credits=f"{the_plan.credits:g}",
        plan_file=str(out) if out else "",
        comment_file=str(comment),
    )


def apply_outputs(app: App, the_plan: Plan, result: ApplyResult) -> None:
    from contentctl.report import apply_text, github_actions

    if not github_actions.active(app.environ):
        return
    summary = apply_text.apply_summary(result, the_plan)
    review = apply_text.needs_review(result, the_plan)
    note = ""
    if review:
        from contentctl.report.markdown_safe import code

        note = (
            "**Needs review** (not published: their content was made in this run, so nobody "
            "has reviewed it; a later apply publishes it while it is unchanged): "
            + ", ".join(code(h.address) for h in review)
            + "\n\n"
        )
    github_actions.append_summary(app.environ, f"### contentctl apply\n\n{note}```\n{summary}\n```")
    github_actions.set_outputs(
        app.environ,
        applied=result.ok,
        credits_used=f"{result.credits_used:g}",
        needs_review=" ".join(h.address for h in review),
    )

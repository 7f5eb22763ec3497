"""The terminal an apply runs in: where the core's messages are printed, and where a person
approves the plan and its publishing (or, with no terminal to ask on, is told how to)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from contentctl.errors import ApprovalError

if TYPE_CHECKING:
    from contentctl.plan.diff import Plan
    from contentctl.report.text import Style


class Echo:
    """The core's messages, printed: ``say`` on stdout, ``warn`` on stderr."""

    def say(self, text: str) -> None:
        click.echo(text)

    def warn(self, text: str) -> None:
        click.echo(text, err=True)


class Terminal(Echo):
    """Shows plans in ``style``, with their field changes when ``diff``; asks on stdin."""

    def __init__(self, style: Style, *, diff: bool = False) -> None:
        self.style = style
        self.diff = diff

    def show(self, the_plan: Plan) -> None:
        from contentctl.report import plan_text

        click.echo(plan_text.plan(the_plan, self.style, diff=self.diff))

    def approve(self) -> None:
        if not sys.stdin.isatty():
            raise ApprovalError(
                "apply needs approval, and there is no terminal to ask on",
                hint="review the plan above and pass --auto-approve",
            )
        answer = click.prompt(
            "\nDo you want to apply? Only 'yes' will be accepted", default="", show_default=False
        )
        if answer.strip() != "yes":
            raise ApprovalError("apply cancelled")

    def approve_publishing(self, names: str) -> None:
        if not sys.stdin.isatty():
            raise ApprovalError(
                f"the plan publishes {names}, and publishing cannot be undone",
                hint="pass --allow-publish (or set spec.allow_publish) to publish "
                "from a non-interactive run",
            )
        answer = click.prompt(
            f"\nThis publishes {names} to the public. Type 'publish' to go on",
            default="",
            show_default=False,
        )
        if answer.strip() != "publish":
            raise ApprovalError("publishing not approved; nothing was applied")

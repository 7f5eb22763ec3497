"""The options `plan` and `apply` share: what to plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def plan_options(command: F) -> F:
    """What to plan: selection, forced regeneration, republishing."""
    for decorator in (
        click.option(
            "--changed-since",
            metavar="REF",
            help="Plan only resources whose manifests, templates, variables or assets changed "
            "since git revision REF, and what depends on them.",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="PATTERN",
            help="Leave out resources matching an address glob or a label "
            "(campaign=launch); repeatable: whatever matches any one is left out. A "
            "PATTERN that matches nothing is an error.",
        ),
        click.option(
            "--select",
            multiple=True,
            metavar="PATTERN",
            help="Plan only resources matching an address glob (post/launch.*) or a "
            "label (locale=fr), with what they depend on. Repeated, it narrows: labels "
            "of different keys must all match, while values of one key, and address "
            "globs, are alternatives (--select locale=fr --select locale=de --select "
            "product=widgets: French or German widgets). Campaign instances carry their "
            "variables as labels. A PATTERN that matches nothing is an error.",
        ),
        click.option(
            "--replace",
            multiple=True,
            metavar="ADDRESS",
            help="Regenerate this resource even though nothing changed; repeatable.",
        ),
        click.option(
            "--allow-republish",
            is_flag=True,
            help="Allow changes to published posts (creates and publishes a new post).",
        ),
        click.option(
            "--generate",
            is_flag=True,
            help="Only what is private and reversible: captions, images, videos, renders, "
            "post drafts, for review in a pull request. Publishing, SCHEDULED schedules, "
            "deletes and updates of existing objects wait for the apply after the merge.",
        ),
    ):
        command = decorator(command)
    return command

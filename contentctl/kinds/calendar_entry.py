"""CalendarEntry: a note on PowerPost's content calendar, updated in place and deleted with
its manifest."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.kinds.kind import Kind, present
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner


def steps(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    fields = present(resource.spec, "", ("title", "description", "date", "time", "platforms"))
    return (StepSpec("entry", "powerpost", paid=False, fields=fields, in_place=True),)


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.powerpost_steps import CalendarEntry

    return {"entry": CalendarEntry()}


KIND = Kind(
    name="CalendarEntry",
    schema="calendar-entry.schema.json",
    provider="powerpost",
    owning_step="entry",
    steps=steps,
    runners=runners,
    deleted_through="entry",
)

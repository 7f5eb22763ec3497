"""CalendarEntry: a note on PowerPost's content calendar, updated in place and deleted with
its manifest."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.kinds.kind import RAW, Kind, differs_in, in_place_drift, present
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner
    from contentctl.lockfile.records import ResourceRecord, StepRecord
    from contentctl.providers import Providers


def steps(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    fields = present(resource.spec, "", ("title", "description", "date", "time", "platforms"))
    return (StepSpec("entry", "powerpost", paid=False, fields=fields, in_place=True),)


# What a calendar entry write sends, as the manifest says it.
SENT = {
    "title": "title",
    "description": "description",
    "scheduled_date": "date",
    "scheduled_time": "time",
    "platforms": "platforms",
}


async def read(providers: Providers, remote_id: str) -> dict[str, Any]:
    from contentctl.apply.powerpost_calendar import CalendarEntry

    entry = await providers.require_powerpost().calendar_entry(remote_id)
    return {**CalendarEntry.outputs_of(entry), RAW: entry}


async def drift(address: str, record: ResourceRecord, providers: Providers) -> AsyncIterator[str]:
    async def compare(owner: StepRecord) -> AsyncIterator[str]:
        remote = await providers.require_powerpost().calendar_entry(owner.remote_id or "")
        compared = {"title": "title", "date": "scheduled_date", "time": "scheduled_time"}
        for field, name in compared.items():
            if field in owner.inputs and remote.get(name) != owner.inputs[field]:
                yield (
                    f"{name} is {remote.get(name)!r} in PowerPost, "
                    f"{owner.inputs[field]!r} as applied"
                )

    async for found in in_place_drift(address, record.steps.get("entry"), compare):
        yield found


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.powerpost_calendar import CalendarEntry

    return {"entry": CalendarEntry()}


KIND = Kind(
    name="CalendarEntry",
    schema="calendar-entry.schema.json",
    provider="powerpost",
    owning_step="entry",
    steps=steps,
    runners=runners,
    read=read,
    deleted_through="entry",
    differs=differs_in(SENT),
    drift=drift,
)

"""PowerPost calendar entries: created once, updated in place, deleted with their manifest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contentctl.apply.runners import ABSENT, Reconciled, StepContext
from contentctl.apply.sync_steps import InPlace
from contentctl.errors import ApiError
from contentctl.providers import Providers


class CalendarEntry(InPlace):
    what = "calendar entry"
    deletable = True
    paid = False

    @staticmethod
    def body(ctx: StepContext) -> dict[str, Any]:
        spec = ctx.resource.spec
        keys = {
            "title": "title",
            "description": "description",
            "date": "scheduled_date",
            "time": "scheduled_time",
            "platforms": "platforms",
        }
        return {sent: spec[key] for key, sent in keys.items() if key in spec}

    @staticmethod
    def outputs_of(entry: Mapping[str, Any]) -> dict[str, Any]:
        keep = ("entry_id", "title", "scheduled_date", "scheduled_time", "status")
        return {k: entry[k] for k in keep if k in entry}

    async def create(self, ctx: StepContext) -> tuple[str, Mapping[str, Any]]:
        entry = await ctx.providers.require_powerpost().create_calendar_entry(self.body(ctx))
        entry_id = entry.get("entry_id") or entry.get("id")
        if not entry_id:
            raise ApiError("the new calendar entry came back without an id", provider="powerpost")
        return str(entry_id), self.outputs_of(entry)

    async def update(self, ctx: StepContext, remote_id: str) -> Mapping[str, Any]:
        body = self.body(ctx)
        # PATCH sets what it is sent: a field removed from the manifest is cleared.
        previous = ctx.previous.inputs if ctx.previous else {}
        for key, sent in (("description", "description"), ("time", "scheduled_time")):
            if key in previous and key not in ctx.resource.spec:
                body[sent] = None
        client = ctx.providers.require_powerpost()
        return self.outputs_of(await client.update_calendar_entry(remote_id, body))

    async def remove(self, providers: Providers, remote_id: str) -> None:
        await providers.require_powerpost().delete_calendar_entry(remote_id)

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """An interrupted creation is found among the entries of its day."""
        if ctx.previous and ctx.previous.remote_id:
            return Reconciled(ctx.previous.remote_id)  # an interrupted update: send it again
        body = self.body(ctx)
        day = str(body["scheduled_date"])
        client = ctx.providers.require_powerpost()
        for entry in await client.calendar_entries(day, day):
            entry_id = str(entry.get("entry_id") or entry.get("id") or "")
            if (
                entry_id
                and entry_id not in ctx.known_ids
                and entry.get("title") == body["title"]
                and entry.get("scheduled_date") == day
            ):
                return Reconciled(entry_id)
        return ABSENT

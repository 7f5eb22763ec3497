"""Runners that finish in their request: one-off steps, and objects updated in place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contentctl.apply.runners import UNKNOWN, Collected, Reconciled, StepContext, Submitted
from contentctl.errors import ApiError
from contentctl.providers import Providers


class SyncStep:
    """A step that finishes in its one request (or a few): nothing to collect."""

    job = False
    in_place = False

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:  # pragma: no cover
        raise AssertionError("synchronous steps have nothing to collect")

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        return UNKNOWN


class InPlace(SyncStep):
    """An object created once and then updated in place: its remote id survives updates.

    ``create`` and ``update`` each make one request; with ``apply --replace`` a new object
    is created and, where the API can delete, the old one is deleted after it.
    """

    in_place = True
    what = "object"

    @staticmethod
    def body(ctx: StepContext) -> dict[str, Any]:
        """What a create or an update sends: import compares it with the remote object."""
        raise NotImplementedError

    async def create(self, ctx: StepContext) -> tuple[str, Mapping[str, Any]]:
        raise NotImplementedError

    async def update(self, ctx: StepContext, remote_id: str) -> Mapping[str, Any]:
        raise NotImplementedError

    deletable = False  # the API can delete it: subclasses then define remove()

    async def remove(self, providers: Providers, remote_id: str) -> None:
        raise NotImplementedError

    async def delete(self, providers: Providers, remote_id: str) -> bool:
        """Delete the object; True when it was already gone."""
        try:
            await self.remove(providers, remote_id)
        except ApiError as exc:
            if exc.status == 404:
                return True
            raise
        return False

    async def submit(self, ctx: StepContext) -> Submitted:
        current = ctx.previous.remote_id if ctx.previous else None
        if current and not ctx.replacing:
            try:
                outputs = await self.update(ctx, current)
            except ApiError as exc:
                if exc.status == 404:
                    exc.hint = (
                        f"the {self.what} {current} was deleted outside contentctl; to create "
                        f"it again run apply --replace {ctx.resource.address}"
                    )
                raise
            return Submitted(current, 0, outputs)
        remote_id, outputs = await self.create(ctx)
        if current and ctx.replacing and self.deletable:
            await self.delete(ctx.providers, current)
        return Submitted(remote_id, 0, outputs)

"""A carousel's PostNitro template and brand, by id or looked up by name (free)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contentctl.apply.runners import StepContext, Submitted
from contentctl.apply.sync_steps import SyncStep
from contentctl.errors import ContentctlError


class Lookup(SyncStep):
    paid = False

    async def submit(self, ctx: StepContext) -> Submitted:
        client = ctx.providers.require_postnitro()
        spec = ctx.resource.spec
        template_id = spec.get("template_id") or _by_name(
            await client.templates(), spec["template"]["name"], "template"
        )
        brand = spec.get("brand")
        if isinstance(brand, str):  # a Brand managed in this project
            brand_id = str(ctx.up(brand, "brand").remote_id)
        else:
            brand_id = spec.get("brand_id") or _by_name(
                await client.brands(), spec["brand"]["name"], "brand"
            )
        return Submitted(None, 0, {"template_id": template_id, "brand_id": brand_id})


def _by_name(items: Sequence[Mapping[str, Any]], name: str, what: str) -> str:
    for item in items:
        if item.get("name") == name:
            return str(item["id"])
    names = ", ".join(repr(i.get("name")) for i in items) or "none"
    raise ContentctlError(
        f"no PostNitro {what} named {name!r}", hint=f"{what}s in this workspace: {names}"
    )

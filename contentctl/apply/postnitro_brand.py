"""PostNitro brands: created once, updated in place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contentctl.apply.runners import ABSENT, Reconciled, StepContext
from contentctl.apply.sync_steps import InPlace


class Brand(InPlace):
    """A PostNitro brand: every write sends all seven keys (the API wants nothing else)."""

    what = "brand"
    paid = False

    @staticmethod
    def body(ctx: StepContext) -> dict[str, Any]:
        fields = ctx.spec.fields  # as planned and hashed, with the schema's defaults
        return {
            "name": fields["name"],
            "handle": fields["handle"],
            "image": fields["image"],
            "isCompanyDetail": fields["company_detail"],
            "showName": fields["show_name"],
            "showHandle": fields["show_handle"],
            "showImage": fields["show_image"],
        }

    @staticmethod
    def _outputs(brand: Mapping[str, Any]) -> dict[str, Any]:
        return {k: brand[k] for k in ("id", "name", "handle") if k in brand}

    async def create(self, ctx: StepContext) -> tuple[str, Mapping[str, Any]]:
        brand = await ctx.providers.require_postnitro().create_brand(self.body(ctx))
        return str(brand["id"]), self._outputs(brand)

    async def update(self, ctx: StepContext, remote_id: str) -> Mapping[str, Any]:
        client = ctx.providers.require_postnitro()
        return self._outputs(await client.update_brand(remote_id, self.body(ctx)))

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """An interrupted creation is found by name and handle among the brands."""
        if ctx.previous and ctx.previous.remote_id:
            return Reconciled(ctx.previous.remote_id)  # an interrupted update: send it again
        body = self.body(ctx)
        for brand in await ctx.providers.require_postnitro().brands():
            brand_id = str(brand.get("id") or "")
            if (
                brand_id
                and brand_id not in ctx.known_ids
                and brand.get("name") == body["name"]
                and brand.get("handle") == body["handle"]
            ):
                return Reconciled(brand_id)
        return ABSENT

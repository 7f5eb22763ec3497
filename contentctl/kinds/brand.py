"""Brand: a PostNitro brand (name, handle, image), updated in place."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.kinds.kind import RAW, Kind, differs_in, in_place_drift, present, schema_defaults
from contentctl.model import Diagnostic, Resource
from contentctl.plan.steps import StepSpec
from contentctl.validate.semantic import url_problems

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner
    from contentctl.lockfile.records import ResourceRecord, StepRecord
    from contentctl.providers import Providers


SCHEMA = "brand.schema.json"


def steps(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    fields = present(
        resource.spec,
        "",
        ("name", "handle", "image", "company_detail", "show_name", "show_handle", "show_image"),
        schema_defaults(SCHEMA, (), ("company_detail", "show_name", "show_handle", "show_image")),
    )
    return (StepSpec("brand", "postnitro", paid=False, fields=fields, in_place=True),)


# What a brand write sends, as the manifest says it.
SENT = {
    "name": "name",
    "handle": "handle",
    "image": "image",
    "isCompanyDetail": "company_detail",
    "showName": "show_name",
    "showHandle": "show_handle",
    "showImage": "show_image",
}


async def read(providers: Providers, remote_id: str) -> dict[str, Any]:
    brand = await providers.require_postnitro().brand(remote_id)
    return {**{k: brand[k] for k in ("id", "name", "handle") if k in brand}, RAW: brand}


async def drift(address: str, record: ResourceRecord, providers: Providers) -> AsyncIterator[str]:
    async def compare(owner: StepRecord) -> AsyncIterator[str]:
        remote = await providers.require_postnitro().brand(owner.remote_id or "")
        for field in ("name", "handle", "image"):
            if field in owner.inputs and remote.get(field) != owner.inputs[field]:
                yield (
                    f"{field} is {remote.get(field)!r} in PostNitro, "
                    f"{owner.inputs[field]!r} as applied; apply --replace {address} "
                    "sends the manifest's again"
                )

    async for found in in_place_drift(address, record.steps.get("brand"), compare):
        yield found


def check(
    root: Path, resource: Resource, others: Mapping[str, Resource] | None
) -> Iterator[Diagnostic]:
    yield from url_problems(resource, iter([(("spec", "image"), resource.spec.get("image"))]))


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.postnitro_brand import Brand

    return {"brand": Brand()}


KIND = Kind(
    name="Brand",
    schema=SCHEMA,
    provider="postnitro",
    owning_step="brand",
    steps=steps,
    runners=runners,
    read=read,
    check=check,
    differs=differs_in(SENT),
    drift=drift,
)

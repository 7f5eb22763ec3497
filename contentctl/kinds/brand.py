"""Brand: a PostNitro brand (name, handle, image), updated in place."""

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
    fields = present(
        resource.spec,
        "",
        ("name", "handle", "image", "company_detail", "show_name", "show_handle", "show_image"),
        {"company_detail": False, "show_name": True, "show_handle": True, "show_image": True},
    )
    return (StepSpec("brand", "postnitro", paid=False, fields=fields, in_place=True),)


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.postnitro_steps import Brand

    return {"brand": Brand()}


KIND = Kind(
    name="Brand",
    schema="brand.schema.json",
    provider="postnitro",
    owning_step="brand",
    steps=steps,
    runners=runners,
)

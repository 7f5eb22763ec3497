"""Schedule: a PostNitro schedule of a carousel to social accounts, updated in place and
deleted with its manifest. SCHEDULED with accounts puts it in front of the public."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.kinds.kind import Kind
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec, Upstream
from contentctl.validate.semantic import schedule_time, utc_text

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner

PLATFORMS = ("linkedin", "instagram", "tiktok", "threads")


def steps(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    spec = resource.spec
    me = resource.address
    chain: list[StepSpec] = []
    upstream: list[Upstream] = []
    if spec.get("carousel"):
        upstream.append(Upstream(spec["carousel"], "render"))
    accounts: Mapping[str, Any] = spec.get("accounts") or {}
    if accounts:
        chain.append(
            StepSpec("accounts", "postnitro", paid=False, fields={"accounts": dict(accounts)})
        )
        upstream.append(Upstream(me, "accounts"))
    try:
        at = utc_text(schedule_time(spec))
    except ValueError:
        at = str(spec["at"])  # validation has said what is wrong with it
    status = spec.get("status", "DRAFT")
    fields: dict[str, Any] = {
        "status": status,
        "at": at,
        "captions": dict(spec.get("captions") or {}),
    }
    for platform in PLATFORMS:
        if platform in spec or platform in accounts:
            fields[platform] = {"post_type": "carousel", **(spec.get(platform) or {})}
    if "reel" in spec:
        fields["reel"] = dict(spec["reel"])
    chain.append(
        StepSpec(
            "schedule",
            "postnitro",
            paid=False,
            fields=fields,
            upstream=tuple(upstream),
            publishes=status == "SCHEDULED" and bool(accounts),
            in_place=True,
        )
    )
    return tuple(chain)


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.postnitro_schedule import Accounts, Schedule

    return {"accounts": Accounts(), "schedule": Schedule()}


KIND = Kind(
    name="Schedule",
    schema="schedule.schema.json",
    provider="postnitro",
    owning_step="schedule",
    steps=steps,
    runners=runners,
    deleted_through="schedule",
)

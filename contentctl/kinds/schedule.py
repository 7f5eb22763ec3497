"""Schedule: a PostNitro schedule of a carousel to social accounts, updated in place and
deleted with its manifest. SCHEDULED with accounts puts it in front of the public."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.kinds.kind import RAW, Content, Kind, in_place_drift
from contentctl.model import Diagnostic, Resource
from contentctl.plan.steps import StepSpec, Upstream
from contentctl.validate import captions as captions_check
from contentctl.validate.semantic import schedule_time, utc_text

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner
    from contentctl.lockfile.records import ResourceRecord, StepRecord
    from contentctl.providers import Providers

PLATFORMS = ("linkedin", "instagram", "tiktok", "threads")


REFERENCES = ((("carousel",), frozenset({"carousel"})),)


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


# PostNitro refuses times that are not ahead; the vendor's own CLI asks for 5 minutes.
LEAD = timedelta(minutes=5)


def too_late(resource: Resource, now: datetime) -> str | None:
    """A schedule sent now must still be ahead of the clock, or PostNitro refuses it."""
    try:
        at = schedule_time(resource.spec)
    except ValueError:
        return None  # validation reports it
    if at >= now + LEAD:
        return None
    return (
        f"spec.at ({at:%Y-%m-%d %H:%M} UTC) is not at least 5 minutes ahead; PostNitro accepts "
        "only future times. Move it later, or remove the manifest if it has gone out"
    )


# The platform settings a schedule write sends, and what the manifest calls each.
SETTINGS = {
    "linkedinPostSettings": "linkedin",
    "instagramPostSettings": "instagram",
    "tiktokPostSettings": "tiktok",
    "threadsPostSettings": "threads",
    "postSettings": "reel",
}


async def read(providers: Providers, remote_id: str) -> dict[str, Any]:
    from contentctl.apply.postnitro_schedule import Schedule

    scheduled = await providers.require_postnitro().schedule(remote_id)
    return {**Schedule.outputs_of(scheduled), RAW: scheduled}


def differs(body: Mapping[str, Any], remote: Mapping[str, Any]) -> list[str]:
    from contentctl.apply.jobs import seconds_of

    captions = {c.get("platform"): c.get("text") for c in remote.get("postContents") or []}
    accounts = [str(a.get("socialAccountId")) for a in remote.get("socialAccounts") or []]
    found = {
        "status": remote.get("status") != body.get("status"),
        "at": seconds_of(remote.get("scheduledFor")) != seconds_of(body.get("scheduledAt")),
        "carousel": remote.get("designId") != body.get("designId"),
        "captions": captions != dict(body.get("postContent") or {}),
        "accounts": sorted(accounts) != sorted(str(a) for a in body.get("selectedAccounts") or []),
    }
    for key, name in SETTINGS.items():
        found[name] = (remote.get(key) or None) != (body.get(key) or None)
    return [name for name, different in found.items() if different]


async def drift(address: str, record: ResourceRecord, providers: Providers) -> AsyncIterator[str]:
    async def compare(owner: StepRecord) -> AsyncIterator[str]:
        remote = await providers.require_postnitro().schedule(owner.remote_id or "")
        for found in _differences(owner.inputs, owner.outputs, remote):
            yield found

    async for found in in_place_drift(address, record.steps.get("schedule"), compare):
        yield found


def _differences(
    inputs: Mapping[str, Any], outputs: Mapping[str, Any], remote: Mapping[str, Any]
) -> list[str]:
    from contentctl.apply.jobs import seconds_of

    found = []
    if remote.get("status") != inputs.get("status"):
        found.append(
            f"status is {remote.get('status')} in PostNitro, {inputs.get('status')} as applied"
        )
    if seconds_of(remote.get("scheduledFor")) != seconds_of(inputs.get("at")):
        found.append(f"scheduled for {remote.get('scheduledFor')}, {inputs.get('at')} as applied")
    captions = {c.get("platform"): c.get("text") for c in remote.get("postContents") or []}
    if captions != dict(inputs.get("captions") or {}):
        found.append("captions were edited in PostNitro")
    if remote.get("designId") != outputs.get("design_id"):
        found.append(f"design is {remote.get('designId')}, {outputs.get('design_id')} as applied")
    for account in remote.get("socialAccounts") or []:
        if account.get("errorMessage"):
            found.append(f"account {account.get('socialAccountId')}: {account['errorMessage']}")
    return found


def check(
    root: Path, resource: Resource, others: Mapping[str, Resource] | None
) -> Iterator[Diagnostic]:
    yield from _fields(resource)
    yield from captions_check.schedule(resource)


def _fields(resource: Resource) -> Iterator[Diagnostic]:
    spec = resource.spec
    where = resource.document.positions
    try:
        schedule_time(spec)
    except ValueError as exc:
        yield Diagnostic(
            where.of(("spec", "at")),
            f"at {spec['at']!r} {exc}",
            hint="write an offset (2026-12-01T09:00:00+01:00, or Z for UTC), "
            "or a local time with time_zone: Europe/Paris",
        )
    accounts = spec.get("accounts") or {}
    if "tiktok" in accounts and "tiktok" not in spec:
        yield Diagnostic(
            where.of(("spec", "accounts", "tiktok"), key=True),
            "posting to TikTok needs spec.tiktok with its disclosure flags",
            hint="add tiktok: {ai_generated: true|false} (and privacy, allow_comments, ...)",
        )
    if spec.get("status") == "SCHEDULED" and accounts and not spec.get("carousel"):
        # What PostNitro's own CLI warns of (postnitro/postnitro-agent
        # src/lib/schedule-warnings.ts:16-21): accepted, but it looks done and is not.
        yield Diagnostic(
            where.of(("spec", "status")),
            "no carousel: the post is published with its captions only",
            severity="warning",
            hint="add carousel: carousel/<name>, or remove accounts for a captions-only draft",
        )
    if spec.get("status") == "SCHEDULED" and not accounts:
        yield Diagnostic(
            where.of(("spec", "status")),
            "status SCHEDULED with no accounts publishes nowhere",
            severity="warning",
            hint="add accounts: {linkedin: [handle], ...}, or keep it a DRAFT",
        )
    for platform in ("linkedin", "instagram", "tiktok", "threads"):
        if platform in spec and platform not in accounts:
            yield Diagnostic(
                where.of(("spec", platform), key=True),
                f"settings for {platform}, but no {platform} account is selected",
                severity="warning",
                hint=f"add accounts.{platform}, or remove spec.{platform}",
            )


def content(resource: Resource, record: ResourceRecord | None, root: Path) -> Content:
    spec = resource.spec
    sent = record.steps.get("schedule") if record else None
    carousel = spec.get("carousel")
    return Content(
        captions=dict(spec.get("captions") or {}),
        uses=(carousel,) if isinstance(carousel, str) else (),
        schedule={
            "status": spec.get("status", "DRAFT"),
            "at": (sent.inputs if sent else {}).get("at", spec.get("at")),
            "written": spec.get("at"),
            "time_zone": spec.get("time_zone"),
            "carousel": carousel,
            "accounts": dict(spec.get("accounts") or {}),
        },
    )


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.postnitro_accounts import Accounts
    from contentctl.apply.postnitro_schedule import Schedule

    return {"accounts": Accounts(), "schedule": Schedule()}


KIND = Kind(
    name="Schedule",
    schema="schedule.schema.json",
    provider="postnitro",
    owning_step="schedule",
    steps=steps,
    runners=runners,
    read=read,
    content=content,
    references=REFERENCES,
    check=check,
    deleted_through="schedule",
    too_late=too_late,
    time_zone=lambda spec: spec.get("time_zone"),
    differs=differs,
    drift=drift,
)

"""Drift against the in-process sandbox: what the API holds now, compared with the lockfile,
and never a change to either."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contract_helpers import QUICK, Api, start

from contentctl.drift import Drift, detect
from contentctl.lockfile.records import Lockfile, ResourceRecord, StepRecord

HASH = "sha256:" + "1" * 64
BRAND = {
    "name": "Acme",
    "handle": "@acme",
    "image": "https://cdn.example.com/acme.png",
    "isCompanyDetail": True,
    "showName": True,
    "showHandle": True,
    "showImage": True,
}


def brand_lock(brand_id: str, inputs: dict[str, Any]) -> Lockfile:
    step = StepRecord(HASH, "completed", inputs=inputs, remote_id=brand_id)
    record = ResourceRecord("Brand", "postnitro", steps={"brand": step})
    return Lockfile("l", 1, {"brand/acme": record})


def test_a_brand_edited_in_postnitro_is_drift_and_an_untouched_one_is_not(tmp_path: Path) -> None:
    api = start("in-process", tmp_path, QUICK)

    async def scenario(api: Api) -> tuple[list[Drift], list[Drift]]:
        async with api.clients() as providers:
            created = await providers.require_postnitro().create_brand(BRAND)
            lock = brand_lock(str(created["id"]), BRAND)
            before = await detect(lock, providers)
            await providers.require_postnitro().update_brand(
                str(created["id"]), {**BRAND, "handle": "@acme.hq"}
            )
            return before, await detect(lock, providers)

    before, after = api.run(scenario)

    assert before == []
    assert [d.address for d in after] == ["brand/acme"]
    assert "'@acme.hq' in PostNitro" in after[0].message
    assert "'@acme' as applied" in after[0].message


def test_a_brand_deleted_from_postnitro_says_how_to_create_it_again(tmp_path: Path) -> None:
    api = start("in-process", tmp_path, QUICK)

    async def scenario(api: Api) -> list[Drift]:
        async with api.clients() as providers:
            return await detect(brand_lock("999999", BRAND), providers)

    (found,) = api.run(scenario)

    assert "999999 no longer exists" in found.message
    assert "apply --replace brand/acme" in found.message


def test_a_job_submitted_and_not_collected_is_reported_with_its_id(tmp_path: Path) -> None:
    api = start("in-process", tmp_path, QUICK)
    pending = StepRecord(HASH, "pending", remote_id="job-42")
    waiting = StepRecord(HASH, "pending")  # written ahead, never answered: nothing to name
    lock = Lockfile(
        "l",
        1,
        {"post/a": ResourceRecord("Post", "powerpost", steps={"captions": pending, "x": waiting})},
    )

    async def scenario(api: Api) -> list[Drift]:
        async with api.clients() as providers:
            return await detect(lock, providers)

    found = api.run(scenario)

    assert [d.message for d in found] == [
        "captions: job job-42 was submitted and not collected; apply collects it"
    ]


def test_a_record_of_a_kind_this_version_does_not_know_is_left_alone(tmp_path: Path) -> None:
    api = start("in-process", tmp_path, QUICK)
    lock = Lockfile("l", 1, {"thing/a": ResourceRecord("Thing", "elsewhere")})

    async def scenario(api: Api) -> list[Drift]:
        async with api.clients() as providers:
            return await detect(lock, providers)

    assert api.run(scenario) == []

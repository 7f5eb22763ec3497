"""Adopting a remote object: what it is recorded as, at no cost, so the next plan shows only
real differences; and what is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from contract_helpers import QUICK, Api, start

from contentctl.errors import ContentctlError
from contentctl.graph import build_graph
from contentctl.imports import adopt
from contentctl.lockfile.records import Lockfile
from contentctl.lockfile.writer import LockfileWriter
from contentctl.model import Document, Positions, Resource
from contentctl.plan.diff import make_plan

BRAND = {
    "name": "Acme",
    "handle": "@acme",
    "image": "https://cdn.example.com/acme.png",
    "isCompanyDetail": False,  # the schema's default, as the manifest leaves it
    "showName": True,
    "showHandle": True,
    "showImage": True,
}
SPEC = {"name": "Acme", "handle": "@acme", "image": "https://cdn.example.com/acme.png"}


def brand(spec: dict[str, Any]) -> Resource:
    file = "content/brand.yaml"
    return Resource("Brand", "acme", spec, Document(file, 0, {"spec": spec}, Positions(file)))


def adopted(tmp_path: Path, remote: dict[str, Any], spec: dict[str, Any]) -> tuple[Any, ...]:
    api = start("in-process", tmp_path, QUICK)
    resource = brand(spec)
    graph, _ = build_graph([resource])
    writer = LockfileWriter(tmp_path / "contentctl.lock", Lockfile("", 0, exists=False))

    async def scenario(api: Api) -> tuple[str, list[str]]:
        async with api.clients() as providers:
            created = await providers.require_postnitro().create_brand(remote)
            brand_id = str(created["id"])
            found = await adopt(api.project(), graph, resource, brand_id, providers, writer)
            return brand_id, found

    brand_id, differences = api.run(scenario)
    plan = make_plan(api.project(), graph, writer.current)
    return brand_id, differences, writer.current, plan


def test_an_object_that_matches_its_manifest_is_recorded_free_and_plans_nothing(
    tmp_path: Path,
) -> None:
    brand_id, differences, lock, plan = adopted(tmp_path, BRAND, SPEC)

    step = lock.resources["brand/acme"].steps["brand"]
    assert differences == []
    assert (step.status, step.remote_id, step.credits_used) == ("completed", brand_id, 0)
    assert all(s.action == "keep" for c in plan.changes for s in c.steps)


def test_an_object_that_differs_is_named_and_the_next_apply_sends_the_manifest_once(
    tmp_path: Path,
) -> None:
    _, differences, _, plan = adopted(tmp_path, {**BRAND, "handle": "@acme.hq"}, SPEC)

    assert differences and any("handle" in d for d in differences)
    (change,) = plan.changes
    assert [(s.name, s.action, s.paid) for s in change.steps] == [("brand", "run", False)]


def test_an_id_the_api_does_not_have_is_refused_and_nothing_is_recorded(tmp_path: Path) -> None:
    api = start("in-process", tmp_path, QUICK)
    resource = brand(SPEC)
    graph, _ = build_graph([resource])
    writer = LockfileWriter(tmp_path / "contentctl.lock", Lockfile("", 0, exists=False))

    async def scenario(api: Api) -> list[str]:
        async with api.clients() as providers:
            return await adopt(api.project(), graph, resource, "424242", providers, writer)

    with pytest.raises(ContentctlError, match="424242 does not exist in postnitro"):
        api.run(scenario)
    assert writer.current.resources == {}

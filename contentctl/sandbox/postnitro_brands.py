"""Emulated PostNitro brands (shared/api/postnitro.md §3.2): strict bodies, 422 on extra keys,
the most recently updated first."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from contentctl.sandbox.api import Call, Reply
from contentctl.sandbox.postnitro import API, fail
from contentctl.sandbox.state import SandboxState

BRAND_KEYS = {
    "name": str,
    "handle": str,
    "image": str,
    "isCompanyDetail": bool,
    "showName": bool,
    "showHandle": bool,
    "showImage": bool,
}


def _check_brand(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Body must be a JSON object"
    if set(body) - set(BRAND_KEYS):
        return "Extra parameters passed in the body."
    for key, kind in BRAND_KEYS.items():
        if key not in body:
            return f"{key} is required"
        if not isinstance(body[key], kind):
            return f"{key} must be a {'boolean' if kind is bool else 'string'}"
    return None


def get_brand(state: SandboxState, call: Call) -> Reply:
    brand = _brand(state, call.path_params["brand_id"])
    if brand is None:
        return fail(404, "Brand not found")
    return Reply(200, {"success": True, "data": {"brand": brand}})


def create_brand(state: SandboxState, call: Call) -> Reply:
    problem = _check_brand(call.json)
    if problem:
        return fail(422, problem)
    brand = {"id": "brand_" + state.new_id().replace("-", "")[:16], **call.json}
    state.postnitro["brands"].insert(0, brand)  # most recently updated first
    return Reply(
        200,
        {"success": True, "message": "Brand created", "data": {"brand": brand}},
        created=brand["id"],
    )


def update_brand(state: SandboxState, call: Call) -> Reply:
    brand = _brand(state, call.path_params["brand_id"])
    if brand is None:
        return fail(404, "Brand not found")
    problem = _check_brand(call.json)
    if problem:
        return fail(422, problem)
    brand.update(call.json)
    brands = state.postnitro["brands"]
    brands.insert(0, brands.pop(brands.index(brand)))
    return Reply(200, {"success": True, "message": "Brand updated", "data": {"brand": brand}})


def _brand(state: SandboxState, brand_id: str) -> dict[str, Any] | None:
    return next((b for b in state.postnitro["brands"] if b["id"] == brand_id), None)


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "GET", "/brand/{brand_id}", get_brand),
        API.route(state, "POST", "/brand", create_brand),
        API.route(state, "PUT", "/brand/{brand_id}", update_brand),
    ]

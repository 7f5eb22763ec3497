"""Emulated PostNitro brands, social accounts and scheduled posts (shared/api/postnitro.md §3.2,
§6, §7): strict bodies, 422 on extra keys, ``scheduledAt`` in, ``scheduledFor`` out."""

from __future__ import annotations

import re
from datetime import datetime, timezone
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
SCHEDULE_KEYS = {
    "status",
    "scheduledAt",
    "designId",
    "postContent",
    "selectedAccounts",
    "linkedinPostSettings",
    "instagramPostSettings",
    "tiktokPostSettings",
    "threadsPostSettings",
    "postSettings",
}
CAPTION_KEYS = ("common", "linkedin", "instagram", "tiktok", "facebook", "threads")
PLATFORM_POST_TYPES = {
    "linkedinPostSettings": ("carousel", "document", "image", "reel"),
    "instagramPostSettings": ("carousel", "image", "reel"),
    "tiktokPostSettings": ("carousel", "reel"),
    "threadsPostSettings": ("carousel", "image", "reel"),
}
TIKTOK_REQUIRED_BOOLS = (
    "canComment",
    "isBrandedContent",
    "isYourBrand",
    "isThirdPartyBrand",
    "isAIGeneratedContent",
)
TIKTOK_PRIVACY = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY")


def _iso(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


# ---- brands ------------------------------------------------------------------------------


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


# ---- social accounts ---------------------------------------------------------------------


def social_accounts(state: SandboxState, call: Call) -> Reply:
    grouped: dict[str, list[dict[str, Any]]] = {
        p: [] for p in ("linkedin", "instagram", "tiktok", "threads")
    }
    for account in state.postnitro["social_accounts"]:
        grouped[account["platformType"]].append(_public_account(account))
    return Reply(200, {"success": True, "data": {"socialAccounts": grouped}})


def social_account(state: SandboxState, call: Call) -> Reply:
    account = _account(state, call.path_params["account_id"])
    if account is None:
        return fail(404, "Social account not found")
    usage: dict[str, int] = {}
    for post in state.postnitro["schedules"].values():
        for row in post["socialAccounts"]:
            if row["socialAccountId"] == account["id"]:
                usage[row["status"]] = usage.get(row["status"], 0) + 1
    return Reply(
        200,
        {
            "success": True,
            "data": {
                "socialAccount": account,
                "usage": [{"status": s, "_count": n} for s, n in sorted(usage.items())],
            },
        },
    )


def disconnect_social_account(state: SandboxState, call: Call) -> Reply:
    """DELETE /social-account/{id} (docs heading; src/lib/client.ts:140-142)."""
    account = _account(state, call.path_params["account_id"])
    if account is None:
        return fail(404, "Social account not found")
    state.postnitro["social_accounts"].remove(account)
    return Reply(200, {"success": True, "message": "Social account disconnected"})


def _public_account(account: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "platformType",
        "accountHandle",
        "accountType",
        "accountName",
        "accountLogo",
        "accessTokenStatus",
    )
    return {k: account[k] for k in keys}


def _account(state: SandboxState, account_id: str) -> dict[str, Any] | None:
    return next((a for a in state.postnitro["social_accounts"] if a["id"] == account_id), None)


# ---- scheduled posts ---------------------------------------------------------------------


def _check_schedule(state: SandboxState, body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Body must be a JSON object"
    if set(body) - SCHEDULE_KEYS:
        return "Extra parameters passed in the body."
    if body.get("status") not in ("DRAFT", "SCHEDULED"):
        return "status must be DRAFT or SCHEDULED"
    when = _parse_time(body.get("scheduledAt"))
    if when is None:
        return "scheduledAt must be an ISO-8601 date"
    if when <= state.now():
        return "scheduledAt must be in the future"
    design = body.get("designId")
    # The docs say designId may be null only for DRAFT; PostNitro's own CLI schedules
    # caption-only posts and only warns (postnitro/postnitro-agent PLATFORM_SETTINGS.md:123-125,
    # src/lib/schedule-warnings.ts:16-21). The vendor's code wins.
    if design is not None and design not in _designs(state):
        return "designId does not belong to this workspace"
    content = body.get("postContent") or {}
    if not isinstance(content, dict) or set(content) - set(CAPTION_KEYS):
        return f"postContent accepts only {', '.join(CAPTION_KEYS)}"
    if design is None and not any(isinstance(v, str) and v.strip() for v in content.values()):
        return "postContent needs at least one caption when there is no designId"
    accounts = body.get("selectedAccounts") or []
    if not isinstance(accounts, list) or any(_account(state, a) is None for a in accounts):
        return "selectedAccounts must be social account ids of this workspace"
    for key, post_types in PLATFORM_POST_TYPES.items():
        settings = body.get(key)
        if settings is None:
            continue
        if not isinstance(settings, dict) or settings.get("postType") not in post_types:
            return f"{key}.postType must be one of {', '.join(post_types)}"
    linkedin = body.get("linkedinPostSettings") or {}
    # Only a SCHEDULED document needs its title (src/lib/schedule-warnings.ts:24,
    # PLATFORM_SETTINGS.md:46): a draft can get one later.
    if linkedin.get("postType") == "document" and body["status"] == "SCHEDULED":
        title = linkedin.get("postTitle")
        if not isinstance(title, str) or not 5 <= len(title) <= 90:
            return (
                "linkedinPostSettings.postTitle must be 5 to 90 characters for scheduled documents"
            )
    instagram = body.get("instagramPostSettings")
    # A required boolean (postnitro/postnitro-agent src/lib/types.ts:271-274).
    if instagram is not None and not isinstance(instagram.get("postAsStory"), bool):
        return "instagramPostSettings needs postAsStory (a boolean)"
    tiktok = body.get("tiktokPostSettings")
    if tiktok is not None:
        missing = [k for k in TIKTOK_REQUIRED_BOOLS if not isinstance(tiktok.get(k), bool)]
        if missing:
            return f"tiktokPostSettings needs {', '.join(missing)} (booleans)"
        if tiktok.get("privacyLevel", "PUBLIC_TO_EVERYONE") not in TIKTOK_PRIVACY:
            return f"tiktokPostSettings.privacyLevel must be one of {', '.join(TIKTOK_PRIVACY)}"
    return None


def _designs(state: SandboxState) -> dict[str, dict[str, Any]]:
    return {p["designId"]: p for p in state.postnitro["posts"].values()}


def _scheduled(
    state: SandboxState, body: dict[str, Any], post_id: str, created: str | None = None
) -> dict[str, Any]:
    design = _designs(state).get(body.get("designId") or "")
    contents = [
        {"platform": k, "text": v, "hashtags": re.findall(r"#(\w+)", v)}
        for k, v in (body.get("postContent") or {}).items()
        if isinstance(v, str) and v
    ]
    now = _iso(state.now())
    when = _parse_time(body["scheduledAt"])
    return {
        "id": post_id,
        "designId": body.get("designId"),
        "labels": None,
        "status": body["status"],
        "scheduledFor": _iso(when or 0),
        "publishedAt": None,
        "errorMessage": None,
        **{
            k: body.get(k)
            for k in (
                "postSettings",
                "instagramPostSettings",
                "linkedinPostSettings",
                "tiktokPostSettings",
                "threadsPostSettings",
            )
        },
        "postContents": contents,
        "designDetails": {
            "id": design["designId"],
            "name": design["slides"][0].get("heading"),
            "designType": design["postType"].lower(),
            "source": "embed",
        }
        if design
        else None,
        "socialAccounts": [
            {
                "socialAccountId": a,
                "liveLink": None,
                "errorMessage": None,
                "status": "PENDING",
                "publishedAt": None,
            }
            for a in body.get("selectedAccounts") or []
        ],
        "createdAt": created or now,
        "updatedAt": now,
    }


def list_schedules(state: SandboxState, call: Call) -> Reply:
    start = _parse_time(call.params.get("fromDate"))
    end = _parse_time(call.params.get("toDate"))
    if start is None or end is None:
        return fail(422, "fromDate and toDate are required dates")
    rows = [
        p
        for p in state.postnitro["schedules"].values()
        if start <= (_parse_time(p["scheduledFor"]) or 0) <= end
    ]
    return Reply(200, {"success": True, "data": sorted(rows, key=lambda p: p["scheduledFor"])})


def create_schedule(state: SandboxState, call: Call) -> Reply:
    problem = _check_schedule(state, call.json)
    if problem:
        return fail(422, problem)
    post_id = "sched_" + state.new_id().replace("-", "")[:20]
    state.postnitro["schedules"][post_id] = _scheduled(state, call.json, post_id)
    return Reply(
        200,
        {
            "success": True,
            "message": "Scheduled post created",
            "data": state.postnitro["schedules"][post_id],
        },
        created=post_id,
    )


def get_schedule(state: SandboxState, call: Call) -> Reply:
    post = state.postnitro["schedules"].get(call.path_params["schedule_id"])
    if post is None:
        return Reply(404, {"success": False, "message": "Post details not found.", "error": None})
    return Reply(200, {"success": True, "data": post})


def update_schedule(state: SandboxState, call: Call) -> Reply:
    post_id = call.path_params["schedule_id"]
    post = state.postnitro["schedules"].get(post_id)
    if post is None:
        return Reply(404, {"success": False, "message": "Post details not found.", "error": None})
    problem = _check_schedule(state, call.json)
    if problem:
        return fail(422, problem)
    state.postnitro["schedules"][post_id] = _scheduled(
        state, call.json, post_id, created=post["createdAt"]
    )
    return Reply(
        200,
        {
            "success": True,
            "message": "Scheduled post updated",
            "data": state.postnitro["schedules"][post_id],
        },
    )


def delete_schedule(state: SandboxState, call: Call) -> Reply:
    post = state.postnitro["schedules"].pop(call.path_params["schedule_id"], None)
    if post is None:
        return Reply(404, {"success": False, "message": "Post details not found.", "error": None})
    # The vendor's CLI reads a top-level message (src/commands/schedule.ts:141), though its
    # client types a data object (src/lib/client.ts:165): the answer has only the message.
    return Reply(200, {"success": True, "message": "Scheduled post deleted"})


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "GET", "/brand/{brand_id}", get_brand),
        API.route(state, "POST", "/brand", create_brand),
        API.route(state, "PUT", "/brand/{brand_id}", update_brand),
        API.route(state, "GET", "/social-account", social_accounts),
        API.route(state, "GET", "/social-account/{account_id}", social_account),
        API.route(state, "DELETE", "/social-account/{account_id}", disconnect_social_account),
        API.route(state, "GET", "/schedule", list_schedules),
        API.route(state, "POST", "/schedule", create_schedule),
        API.route(state, "GET", "/schedule/{schedule_id}", get_schedule),
        API.route(state, "PUT", "/schedule/{schedule_id}", update_schedule),
        API.route(state, "DELETE", "/schedule/{schedule_id}", delete_schedule),
    ]

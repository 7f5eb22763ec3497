"""Emulated PostNitro social accounts (shared/api/postnitro.md §6): the workspace's connected
accounts by platform, one with its usage by scheduled posts, and disconnecting one."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from contentctl.sandbox.api import Call, Reply
from contentctl.sandbox.postnitro import API, fail
from contentctl.sandbox.state import SandboxState


def social_accounts(state: SandboxState, call: Call) -> Reply:
    grouped: dict[str, list[dict[str, Any]]] = {
        p: [] for p in ("linkedin", "instagram", "tiktok", "threads")
    }
    for account in state.postnitro["social_accounts"]:
        grouped[account["platformType"]].append(_public_account(account))
    return Reply(200, {"success": True, "data": {"socialAccounts": grouped}})


def social_account(state: SandboxState, call: Call) -> Reply:
    account = find_account(state, call.path_params["account_id"])
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
    account = find_account(state, call.path_params["account_id"])
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


def find_account(state: SandboxState, account_id: str) -> dict[str, Any] | None:
    return next((a for a in state.postnitro["social_accounts"] if a["id"] == account_id), None)


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "GET", "/social-account", social_accounts),
        API.route(state, "GET", "/social-account/{account_id}", social_account),
        API.route(state, "DELETE", "/social-account/{account_id}", disconnect_social_account),
    ]

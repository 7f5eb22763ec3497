"""Emulated PostNitro scheduled posts (shared/api/postnitro.md §7): ``scheduledAt`` in,
``scheduledFor`` out; listed by a time window, replaced whole on update."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from contentctl.sandbox.api import Call, Reply
from contentctl.sandbox.postnitro import API, fail, iso
from contentctl.sandbox.postnitro_schedule_checks import check_schedule, designs, parse_time
from contentctl.sandbox.state import SandboxState


def _scheduled(
    state: SandboxState, body: dict[str, Any], post_id: str, created: str | None = None
) -> dict[str, Any]:
    design = designs(state).get(body.get("designId") or "")
    contents = [
        {"platform": k, "text": v, "hashtags": re.findall(r"#(\w+)", v)}
        for k, v in (body.get("postContent") or {}).items()
        if isinstance(v, str) and v
    ]
    now = iso(state.now())
    when = parse_time(body["scheduledAt"])
    return {
        "id": post_id,
        "designId": body.get("designId"),
        "labels": None,
        "status": body["status"],
        "scheduledFor": iso(when or 0),
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
    start = parse_time(call.params.get("fromDate"))
    end = parse_time(call.params.get("toDate"))
    if start is None or end is None:
        return fail(422, "fromDate and toDate are required dates")
    rows = [
        p
        for p in state.postnitro["schedules"].values()
        if start <= (parse_time(p["scheduledFor"]) or 0) <= end
    ]
    return Reply(200, {"success": True, "data": sorted(rows, key=lambda p: p["scheduledFor"])})


def create_schedule(state: SandboxState, call: Call) -> Reply:
    problem = check_schedule(state, call.json)
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
    problem = check_schedule(state, call.json)
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
        API.route(state, "GET", "/schedule", list_schedules),
        API.route(state, "POST", "/schedule", create_schedule),
        API.route(state, "GET", "/schedule/{schedule_id}", get_schedule),
        API.route(state, "PUT", "/schedule/{schedule_id}", update_schedule),
        API.route(state, "DELETE", "/schedule/{schedule_id}", delete_schedule),
    ]

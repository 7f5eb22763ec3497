"""Emulated PowerPost posts and publishing (shared/api/powerpost.md §5.8–5.10)."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from contentctl.sandbox.api import Call, Reply
from contentctl.sandbox.content import caption
from contentctl.sandbox.powerpost import API, PLATFORM, charge, fail, iso, job_times, settle
from contentctl.sandbox.state import SandboxState


def create_post(state: SandboxState, call: Call) -> Reply:
    body = call.json if isinstance(call.json, dict) else {}
    pp = state.powerpost
    items = body.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= 12:
        return fail(400, "VALIDATION_ERROR", "items must be an array of 1 to 12 items")
    outputs: dict[str, Any] = {}
    generation_id = body.get("generation_id")
    if generation_id is not None:
        generation = pp["generations"].get(generation_id)
        if generation is None:
            return fail(404, "NOT_FOUND", "Generation not found")
        if settle(state, generation, generation["credits_used"]) != "completed":
            return fail(400, "VALIDATION_ERROR", "The generation is not completed")
        outputs = {
            p: caption(p, generation["prompt"], generation.get("cta_text"))
            for p in generation["platforms"]
        }
    made = []
    for i, item in enumerate(items):
        post_type = item.get("post_type") if isinstance(item, dict) else None
        if post_type not in PLATFORM:
            return fail(400, "VALIDATION_ERROR", f"items[{i}].post_type is invalid")
        platform = PLATFORM[post_type]
        generated = outputs.get(platform)
        content = item.get("content")
        title = item.get("title")
        if isinstance(generated, dict):
            content = content or generated.get("description")
            title = title or generated.get("title")
        elif content is None:
            content = generated
        if not content:
            return fail(400, "VALIDATION_ERROR", f"items[{i}].content is required")
        if platform == "youtube" and not title:
            return fail(400, "VALIDATION_ERROR", f"items[{i}].title is required for YouTube")
        media_ids = item.get("media_ids") or []
        unknown = [m for m in media_ids if m not in pp["media"]]
        if unknown:
            return fail(400, "VALIDATION_ERROR", f"Unknown media_ids: {', '.join(unknown)}")
        made.append(
            {
                "item_id": f"item-{i + 1:03d}",
                "post_type": post_type,
                "platform": platform,
                "content": content,
                **({"title": title} if title else {}),
                "media_ids": media_ids,
                "status": "draft",
            }
        )
    post_id = "post-" + state.new_id()
    pp["posts"][post_id] = {
        "post_id": post_id,
        "status": "draft",
        "created_at": iso(state.now()),
        "items": made,
    }
    return Reply(200, pp["posts"][post_id], created=post_id)


def _settle_post(state: SandboxState, post: dict[str, Any]) -> None:
    if post["status"] != "publishing" or state.now() < post["ready_at"]:
        return
    failed = post["fails"]
    for item in post["items"]:
        item["status"] = "failed" if failed else "posted"
        if not failed:
            item["platform_post_id"] = (
                f"{item['platform']}_{item['item_id']}_{post['post_id'][-6:]}"
            )
    post["status"] = "failed" if failed else "published"
    if failed and not post.get("refunded"):
        state.powerpost["balance"] += post["credits_used"]
        post["refunded"] = True


def get_post(state: SandboxState, call: Call) -> Reply:
    post = state.powerpost["posts"].get(call.path_params["post_id"])
    if post is None:
        return fail(404, "NOT_FOUND", "Post not found")
    _settle_post(state, post)
    return Reply(
        200,
        {
            k: v
            for k, v in post.items()
            if k not in ("ready_at", "fails", "refunded", "credits_used")
        },
    )


def publish(state: SandboxState, call: Call) -> Reply:
    pp = state.powerpost
    post = pp["posts"].get(call.path_params["post_id"])
    if post is None:
        return fail(404, "NOT_FOUND", "Post not found")
    _settle_post(state, post)
    if post["status"] != "draft":
        return fail(409, "ALREADY_PUBLISHED", "Post is already published")
    for item in post["items"]:
        if item["platform"] not in pp["connected"]:
            return fail(
                422,
                "PLATFORM_NOT_CONNECTED",
                f"{item['platform']} is not connected to this workspace",
            )
    cost = 1 + (3 if any(i["platform"] == "x" for i in post["items"]) else 0)
    refused = charge(state, cost)
    if refused:
        return refused
    post.update(
        status="publishing",
        credits_used=cost,
        **{k: v for k, v in job_times(state).items() if k != "created"},
    )
    for item in post["items"]:
        item["status"] = "posting"
    return Reply(
        200,
        {
            "post_id": post["post_id"],
            "status": "publishing",
            "credits_used": cost,
            "status_url": f"/api/v1/posts/{post['post_id']}",
        },
        created=post["post_id"],
    )


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "POST", "/posts", create_post),
        API.route(state, "GET", "/posts/{post_id}", get_post),
        API.route(state, "POST", "/posts/{post_id}/publish", publish),
    ]

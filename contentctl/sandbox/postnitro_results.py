"""Emulated PostNitro job status and output (shared/api/postnitro.md §5): a job's log as it
goes from PENDING to COMPLETED (or FAILED, refunded), and its files, as URLs or, like older
API versions, inline."""

from __future__ import annotations

import base64
from typing import Any

from starlette.routing import Route

from contentctl.sandbox import images
from contentctl.sandbox.api import Call, Reply, base_url
from contentctl.sandbox.postnitro import API, fail, find, iso, template_size
from contentctl.sandbox.state import SandboxState


def _settle(state: SandboxState, post: dict[str, Any]) -> str:
    now = state.now()
    if now < post["ready_at"]:
        # Queued, then working: PostNitro's own CLI types PROCESSING (src/lib/types.ts:139).
        halfway = post["created"] + (post["ready_at"] - post["created"]) / 2
        return "PROCESSING" if now >= halfway else "PENDING"
    if post["fails"]:
        if not post.get("refunded"):
            state.postnitro["credits_left"] += post["credits"]
            post["refunded"] = True
        return "FAILED"
    return "COMPLETED"


def _embed_post(post: dict[str, Any], status: str) -> dict[str, Any]:
    return {
        "id": post["id"],
        "postType": post["postType"],
        "status": status,
        "createdAt": iso(post["created"]),
        "updatedAt": iso(post["ready_at"] if status != "PENDING" else post["created"]),
    }


def _logs(post: dict[str, Any], current: str) -> list[dict[str, Any]]:
    """The job's log: INITIATED, PROCESSING, the best-effort GENERATE_IMAGES step when AI
    images were asked for (src/lib/generation.ts:110-116), and how it ended."""
    halfway = post["created"] + (post["ready_at"] - post["created"]) / 2
    steps: list[tuple[str, str, str, float]] = [
        ("INITIATED", "SUCCESS", "Post generation initiated", post["created"])
    ]
    if current == "FAILED":
        message = "Rendering failed (sandbox fault injection)"
        steps.append(("PROCESSING", "FAILED", message, post["ready_at"]))
    elif current != "PENDING":
        steps.append(("PROCESSING", "SUCCESS", "Generating the design", halfway))
    images = post.get("images")
    if current == "COMPLETED" and images is not None:
        # A COMPLETED post may still have skipped its images (free plan, AI-image quota).
        steps.append(
            ("GENERATE_IMAGES", "SUCCESS", "AI images generated", post["ready_at"])
            if images == "ok"
            else ("GENERATE_IMAGES", "FAILED", str(images), post["ready_at"])
        )
    if current == "COMPLETED":
        steps.append(("COMPLETED", "SUCCESS", "Post generation completed", post["ready_at"]))
    return [
        {
            "id": f"log{i + 1}",
            "embedPostId": post["id"],
            "step": step,
            "status": status,
            "message": message,
            "timestamp": iso(at),
        }
        for i, (step, status, message, at) in enumerate(steps)
    ]


def status(state: SandboxState, call: Call) -> Reply:
    post = state.postnitro["posts"].get(call.path_params["embed_post_id"])
    if post is None:
        return fail(404, "Post not found")
    current = _settle(state, post)
    return Reply(
        200,
        {
            "success": True,
            "data": {
                "embedPostId": post["id"],
                "embedPost": _embed_post(post, current),
                "logs": _logs(post, current),
            },
        },
    )


def output(state: SandboxState, call: Call) -> Reply:
    post = state.postnitro["posts"].get(call.path_params["embed_post_id"])
    if post is None:
        return fail(404, "Post not found")
    current = _settle(state, post)
    if current != "COMPLETED":
        return fail(422, f"Post is not completed (status {current})")
    template = find(state, "templates", post["templateId"]) or {}
    size = template_size(str(template.get("size", "1080x1350")))
    root = f"{base_url(call)}/files/postnitro/{post['id']}"
    result: dict[str, Any] = {
        "id": "result_" + post["id"][5:],
        "designId": post["designId"],
        "editorUrl": f"https://postnitro.ai/app/editor/{post['designId']}",
        "name": post["slides"][0].get("heading", "Untitled"),
        "size": size,
    }
    if post["responseType"] == "PNG":
        result.update(
            type="png",
            mimeType="image/png",
            data=[f"{root}/slide_{i}.png" for i in range(len(post["slides"]))],
        )
    elif post["responseType"] == "PDF":
        result.update(type="pdf", mimeType="application/pdf", data=f"{root}/carousel.pdf")
    if state.settings.postnitro_output == "legacy" and "data" in result:
        # Older API versions: files inline as base64, size a plain string, no designId.
        result.update(size=size["id"], data=_inline(state, post, result["data"]))
        del result["designId"]
    embed = {
        **_embed_post(post, current),
        "responseType": post["responseType"],
        "credits": post["credits"],
    }
    return Reply(200, {"success": True, "data": {"embedPost": embed, "result": result}})


def _inline(state: SandboxState, post: dict[str, Any], data: Any) -> Any:
    template = find(state, "templates", post["templateId"]) or {}
    brand = find(state, "brands", post["brandId"]) or {}
    rendered = images.slide_images(post["slides"], template, brand)
    if isinstance(data, list):
        return [base64.b64encode(images.png(slide)).decode() for slide in rendered]
    return base64.b64encode(images.pdf(rendered)).decode()


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "GET", "/post/status/{embed_post_id}", status),
        API.route(state, "GET", "/post/output/{embed_post_id}", output),
    ]

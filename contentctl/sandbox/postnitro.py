"""Emulated PostNitro Embed API (shared/api/postnitro.md): camelCase, strict keys, two envelopes."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

from starlette.routing import Route

from contentctl.sandbox import images
from contentctl.sandbox.api import Call, EmulatedApi, Reply, base_url
from contentctl.sandbox.content import generated_slides
from contentctl.sandbox.state import POSTNITRO_KEY, SandboxState

PREFIX = "/postnitro"
GENERATE_KEYS = {
    "postType",
    "requestorId",
    "templateId",
    "brandId",
    "presetId",
    "responseType",
    "aiGeneration",
    "generateImages",
}
IMPORT_KEYS = {
    "postType",
    "requestorId",
    "templateId",
    "brandId",
    "responseType",
    "slides",
    "generateImages",
}
SLIDE_KEYS = {
    "type",
    "heading",
    "sub_heading",
    "description",
    "cta_button",
    "image",
    "background_image",
    "layoutType",
    "layoutConfig",
}
RESPONSE_TYPES = ("PDF", "PNG", "DESIGN")
POST_TYPES = ("CAROUSEL", "IMAGE")  # IMAGE: from PostNitro's own CLI and n8n node


def error(status: int, code: str, message: str) -> dict[str, Any]:
    # PostNitro mixes two envelopes; validation and auth errors use {status: false}.
    if status in (401, 402, 422):
        return {"status": False, "message": message}
    return {"success": False, "message": message}


def fail(status: int, message: str) -> Reply:
    return Reply(status, error(status, "", message))


def _iso(ts: float) -> str:
    return (
        datetime.fromtimestamp(ts, tz=timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def authenticate(state: SandboxState, call: Call) -> Reply | None:
    key = call.request.headers.get("embed-api-key")
    if not key:
        return fail(401, "Unauthorized")
    if key != POSTNITRO_KEY:
        return fail(401, "Unable to find embed details, please check your Embed API key...")
    return None


def _paged(state: SandboxState, call: Call, key: str, label: str) -> Reply:
    try:
        page = int(call.params.get("page", "1"))
    except ValueError:
        page = 0
    if page < 1:
        return fail(422, "Page must be a positive integer")
    try:
        limit = int(call.params.get("limit", "10"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return fail(422, "Limit must be between 1 and 100")
    items = state.postnitro[key][(page - 1) * limit : page * limit]
    if not items:
        return fail(404, f"No {label} found")
    public = [{k: v for k, v in item.items() if k != "colors"} for item in items]
    return Reply(200, {"success": True, "data": {key: public}})


def templates(state: SandboxState, call: Call) -> Reply:
    return _paged(state, call, "templates", "templates")


def brands(state: SandboxState, call: Call) -> Reply:
    return _paged(state, call, "brands", "brands")


def presets(state: SandboxState, call: Call) -> Reply:
    return _paged(state, call, "presets", "AI Config Presets")


def _find(state: SandboxState, key: str, item_id: Any) -> dict[str, Any] | None:
    return next((i for i in state.postnitro[key] if i["id"] == item_id), None)


def _common(state: SandboxState, body: dict[str, Any], allowed: set[str]) -> str | None:
    if set(body) - allowed:
        return "Extra parameters passed in the body."
    if body.get("postType") not in POST_TYPES:
        return "postType must be CAROUSEL or IMAGE"
    if body.get("responseType", "PDF") not in RESPONSE_TYPES:
        return f"responseType must be one of {', '.join(RESPONSE_TYPES)}"
    if _find(state, "templates", body.get("templateId")) is None:
        return "Invalid templateId"
    if _find(state, "brands", body.get("brandId")) is None:
        return "Invalid brandId"
    images = body.get("generateImages")
    if images is not None and (
        not isinstance(images, dict) or set(images) - {"context", "imagePlacement", "imageStrategy"}
    ):
        return "generateImages accepts only context, imagePlacement and imageStrategy"
    return None


def _start(
    state: SandboxState, body: dict[str, Any], slides: list[dict[str, Any]], per_slide: int
) -> Reply:
    cost = per_slide * len(slides)
    pn = state.postnitro
    if pn["credits_left"] < cost:
        return fail(
            402,
            f"Not enough credits: this carousel needs {cost}, "
            f"{pn['credits_left']:g} left this month",
        )
    pn["credits_left"] -= cost
    post_id = "post_" + state.new_id().replace("-", "")[:20]
    now = state.now()
    pn["posts"][post_id] = {
        "id": post_id,
        "postType": body["postType"],
        "responseType": body.get("responseType", "PDF"),
        "requestorId": body.get("requestorId"),
        "templateId": body["templateId"],
        "brandId": body["brandId"],
        "slides": slides,
        "credits": cost,
        "created": now,
        "ready_at": now + state.settings.latency,
        "fails": state.chance(state.settings.faults.job_failure),
        "designId": "design_" + state.new_id().replace("-", "")[:20],
    }
    return Reply(
        200,
        {
            "success": True,
            "message": f"{body['postType']} generation initiated",
            "data": {"embedPostId": post_id, "status": "PENDING"},
        },
        created=post_id,
    )


def initiate_generate(state: SandboxState, call: Call) -> Reply:
    body = call.json if isinstance(call.json, dict) else {}
    problem = _common(state, body, GENERATE_KEYS)
    preset = _find(state, "presets", body.get("presetId"))
    ai = body.get("aiGeneration")
    if problem is None and preset is None:
        problem = "Invalid presetId"
    if problem is None and (
        not isinstance(ai, dict)
        or ai.get("type") not in ("text", "article", "x")
        or not ai.get("context")
    ):
        problem = "aiGeneration needs type (text, article or x) and context"
    if problem or preset is None or not isinstance(ai, dict):
        return fail(422, problem or "Invalid body")
    count = 1 if body["postType"] == "IMAGE" else int(preset["slides"])
    slides = generated_slides(str(ai["context"]), count, ai.get("instructions"))
    return _start(state, body, slides, per_slide=2)


def initiate_import(state: SandboxState, call: Call) -> Reply:
    body = call.json if isinstance(call.json, dict) else {}
    problem = _common(state, body, IMPORT_KEYS)
    if problem is None and body.get("postType") == "IMAGE":
        # An IMAGE takes one slide object, not an array, and no type.
        slide = body.get("slides")
        if not isinstance(slide, dict):
            problem = "slides must be one object for IMAGE posts"
        else:
            problem = _check_slide(slide, "slides", SLIDE_KEYS - {"type"})
        if problem:
            return fail(422, problem)
        return _start(state, body, [{"type": "starting_slide", **body["slides"]}], per_slide=1)
    problem = problem or _check_slides(body.get("slides"))
    if problem:
        return fail(422, problem)
    return _start(state, body, list(body["slides"]), per_slide=1)


def _check_slides(slides: Any) -> str | None:
    if not isinstance(slides, list) or not slides:
        return "slides must be a non-empty array"
    for i, slide in enumerate(slides):
        problem = _check_slide(slide, f"slides[{i}]", SLIDE_KEYS)
        if problem:
            return problem
    types = [s.get("type") for s in slides]
    if types.count("starting_slide") != 1 or types[0] != "starting_slide":
        return "Exactly one starting_slide is required, and it must be first"
    if types.count("ending_slide") != 1 or types[-1] != "ending_slide":
        return "Exactly one ending_slide is required, and it must be last"
    if "body_slide" not in types:
        return "At least one body_slide is required"
    return None


def _check_slide(slide: Any, where: str, allowed: set[str]) -> str | None:
    if not isinstance(slide, dict) or not slide.get("heading"):
        return f"{where}.heading is required"
    if set(slide) - allowed:
        return f"{where} has unknown keys: {', '.join(sorted(set(slide) - allowed))}"
    if slide.get("layoutType") in ("infographic", "infographics"):
        config = slide.get("layoutConfig")
        required = {"columnCount", "columnDisplay", "displayCounterAs", "hasHeader"}
        if not isinstance(config, dict) or required - set(config):
            return f"{where}.layoutConfig needs {', '.join(sorted(required))}"
        if config.get("columnCount") not in (1, 2, 3):
            return f"{where}.layoutConfig.columnCount must be 1, 2 or 3"
    return None


def _settle(state: SandboxState, post: dict[str, Any]) -> str:
    if state.now() < post["ready_at"]:
        return "PENDING"
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
        "createdAt": _iso(post["created"]),
        "updatedAt": _iso(post["ready_at"] if status != "PENDING" else post["created"]),
    }


def status(state: SandboxState, call: Call) -> Reply:
    post = state.postnitro["posts"].get(call.path_params["embed_post_id"])
    if post is None:
        return fail(404, "Post not found")
    current = _settle(state, post)
    logs = [
        {
            "id": "log1",
            "embedPostId": post["id"],
            "step": "INITIATED",
            "status": "SUCCESS",
            "message": "Post generation initiated",
            "timestamp": _iso(post["created"]),
        }
    ]
    if current == "COMPLETED":
        logs.append(
            {
                "id": "log2",
                "embedPostId": post["id"],
                "step": "COMPLETED",
                "status": "SUCCESS",
                "message": "Post generation completed",
                "timestamp": _iso(post["ready_at"]),
            }
        )
    elif current == "FAILED":
        logs.append(
            {
                "id": "log2",
                "embedPostId": post["id"],
                "step": "PROCESSING",
                "status": "FAILED",
                "message": "Rendering failed (sandbox fault injection)",
                "timestamp": _iso(post["ready_at"]),
            }
        )
    return Reply(
        200,
        {
            "success": True,
            "data": {
                "embedPostId": post["id"],
                "embedPost": _embed_post(post, current),
                "logs": logs,
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
    template = _find(state, "templates", post["templateId"]) or {}
    width, height = (int(v) for v in str(template.get("size", "1080x1350")).split("x"))
    ratio = (
        "4:5"
        if (width, height) == (1080, 1350)
        else "1:1"
        if width == height
        else f"{width}x{height}"
    )
    root = f"{base_url(call)}/files/postnitro/{post['id']}"
    result: dict[str, Any] = {
        "id": "result_" + post["id"][5:],
        "designId": post["designId"],
        "editorUrl": f"https://postnitro.ai/app/editor/{post['designId']}",
        "name": post["slides"][0].get("heading", "Untitled"),
        "size": {"id": ratio, "dimensions": {"width": width, "height": height}},
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
        result.update(size=ratio, data=_inline(state, post, result["data"]))
        del result["designId"]
    embed = {
        **_embed_post(post, current),
        "responseType": post["responseType"],
        "credits": post["credits"],
    }
    return Reply(200, {"success": True, "data": {"embedPost": embed, "result": result}})


def _inline(state: SandboxState, post: dict[str, Any], data: Any) -> Any:
    template = _find(state, "templates", post["templateId"]) or {}
    brand = _find(state, "brands", post["brandId"]) or {}
    rendered = images.slide_images(post["slides"], template, brand)
    if isinstance(data, list):
        return [base64.b64encode(images.png(slide)).decode() for slide in rendered]
    return base64.b64encode(images.pdf(rendered)).decode()


API = EmulatedApi("postnitro", PREFIX, authenticate, error, rate_limit_headers=False)


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "GET", "/template", templates),
        API.route(state, "GET", "/brand", brands),
        API.route(state, "GET", "/ai-preset", presets),
        API.route(state, "POST", "/post/initiate/generate", initiate_generate),
        API.route(state, "POST", "/post/initiate/import", initiate_import),
        API.route(state, "GET", "/post/status/{embed_post_id}", status),
        API.route(state, "GET", "/post/output/{embed_post_id}", output),
    ]

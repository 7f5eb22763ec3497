"""Emulated PostNitro Embed API (shared/api/postnitro.md): camelCase, strict keys, two envelopes."""

from __future__ import annotations

import base64
import math
from datetime import datetime, timezone
from typing import Any

from starlette.routing import Route

from contentctl.sandbox import images
from contentctl.sandbox.api import Call, EmulatedApi, Reply, base_url
from contentctl.sandbox.content import generated_image_slide, generated_slides
from contentctl.sandbox.endpoints import POSTNITRO_PREFIX
from contentctl.sandbox.postnitro_slides import SLIDE_KEYS, check_slide, check_slides
from contentctl.sandbox.state import POSTNITRO_KEY, SandboxState

PREFIX = POSTNITRO_PREFIX
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
RESPONSE_TYPES = ("PDF", "PNG", "DESIGN")
# What the API renders when responseType is left out: the docs say PDF, but the API moved to
# DESIGN (postnitro/postnitro-agent CHANGELOG.md:31, src/lib/config-store.ts:106-107).
DEFAULT_RESPONSE_TYPE = "DESIGN"
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
    if key == "templates" and state.settings.postnitro_output != "legacy":
        # An object, as PostNitro's own CLI types it (src/lib/types.ts:176-180); the docs
        # page, like older API versions, shows a string.
        public = [{**t, "size": _size(str(t.get("size", "")))} for t in public]
    return Reply(200, {"success": True, "data": {key: public}})


def _size(text: str) -> dict[str, Any]:
    """``"1080x1350"`` -> ``{"id": "4:5", "dimensions": {"width": 1080, "height": 1350}}``."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        width, height = 1080, 1350
    ratio = (
        "4:5"
        if (width, height) == (1080, 1350)
        else "1:1"
        if width == height
        else f"{width}x{height}"
    )
    return {"id": ratio, "dimensions": {"width": width, "height": height}}


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
    if body.get("responseType", DEFAULT_RESPONSE_TYPE) not in RESPONSE_TYPES:
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
        "responseType": body.get("responseType", DEFAULT_RESPONSE_TYPE),
        "images": _ai_images(state, body.get("generateImages"), len(slides)),
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


def _ai_images(state: SandboxState, wanted: Any, slides: int) -> str | None:
    """What became of the AI images a post asked for: drawn from the separate AI-image
    quota, best effort; a post whose images are skipped still completes."""
    if not isinstance(wanted, dict):
        return None
    count = slides if wanted.get("imageStrategy") == "all" else math.ceil(slides / 2)
    pn = state.postnitro
    left = pn.setdefault("image_quota_left", state.settings.postnitro_image_quota)
    if left < count:
        return f"AI image quota exceeded: {count} images needed, {left:g} left this month"
    pn["image_quota_left"] = left - count
    return "ok"


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
    if body["postType"] == "IMAGE":
        # One designed image, charged as one AI slide (2 credits).
        slides = [
            {"type": "starting_slide", **generated_image_slide(ai["type"], str(ai["context"]))}
        ]
    else:
        slides = generated_slides(ai["type"], str(ai["context"]), int(preset["slides"]))
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
            problem = check_slide(slide, "slides", SLIDE_KEYS - {"type"}, config_required=False)
        if problem:
            return fail(422, problem)
        return _start(state, body, [{"type": "starting_slide", **body["slides"]}], per_slide=1)
    problem = problem or check_slides(body.get("slides"))
    if problem:
        return fail(422, problem)
    return _start(state, body, list(body["slides"]), per_slide=1)


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
        "createdAt": _iso(post["created"]),
        "updatedAt": _iso(post["ready_at"] if status != "PENDING" else post["created"]),
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
            "timestamp": _iso(at),
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
    template = _find(state, "templates", post["templateId"]) or {}
    size = _size(str(template.get("size", "1080x1350")))
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

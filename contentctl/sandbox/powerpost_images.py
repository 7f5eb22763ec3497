"""Emulated PowerPost image generation (shared/api/powerpost.md §5.6–5.7): models, sizes and
prices, and the generated images as media posts can use."""

from __future__ import annotations

from starlette.routing import Route

from contentctl.sandbox.api import Call, Reply, base_url
from contentctl.sandbox.powerpost import API, charge, fail, iso, job_times, settle
from contentctl.sandbox.state import SandboxState

SIZES = ("square", "feed", "portrait", "landscape")
MODEL_PRICE = {"flux2-flex": 5, "ideogram-3": 6, "nano-banana-2": 6, "gpt-image-1.5": 14}


def generate_images(state: SandboxState, call: Call) -> Reply:
    body = call.json if isinstance(call.json, dict) else {}
    pp = state.powerpost
    generation_id = body.get("generation_id")
    prompt = body.get("prompt")
    size = body.get("size", "square")
    quantity = body.get("quantity", 1)
    model = body.get("model", "flux2-flex")
    style = body.get("style_images") or []
    if prompt is None and generation_id is None:
        return fail(400, "VALIDATION_ERROR", "prompt is required unless generation_id is given")
    if prompt is not None and (not isinstance(prompt, str) or not 1 <= len(prompt) <= 2000):
        return fail(400, "VALIDATION_ERROR", "prompt must be at most 2000 characters")
    if size not in SIZES:
        return fail(400, "VALIDATION_ERROR", f"size must be one of {', '.join(SIZES)}")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 4:
        return fail(400, "VALIDATION_ERROR", "quantity must be an integer from 1 to 4")
    if model not in MODEL_PRICE:
        return fail(400, "VALIDATION_ERROR", f"model must be one of {', '.join(MODEL_PRICE)}")
    if model == "gpt-image-1.5" and size == "feed":
        return fail(400, "VALIDATION_ERROR", "gpt-image-1.5 does not support size 'feed'")
    if len(style) > 4 or any(m not in pp["media"] for m in style):
        return fail(400, "VALIDATION_ERROR", "style_images: up to 4 uploaded media ids")
    if generation_id is not None:
        generation = pp["generations"].get(generation_id)
        if generation is None:
            return fail(404, "NOT_FOUND", "Generation not found")
        if settle(state, generation, generation["credits_used"]) != "completed":
            return fail(400, "VALIDATION_ERROR", "The generation is not completed yet")
        prompt = prompt or generation["prompt"]
    cost = MODEL_PRICE[model] * quantity
    refused = charge(state, cost)
    if refused:
        return refused
    job_id = state.new_id()
    pp["images"][job_id] = {
        "image_generation_id": job_id,
        "prompt": prompt,
        "size": size,
        "quantity": quantity,
        "model": model,
        "credits_used": cost,
        **job_times(state),
    }
    return Reply(
        200,
        {
            "image_generation_id": job_id,
            "status": "processing",
            "credits_used": cost,
            "remaining_credits": pp["balance"],
            "status_url": f"/api/v1/images/generations/{job_id}",
        },
        created=job_id,
    )


def get_images(state: SandboxState, call: Call) -> Reply:
    job = state.powerpost["images"].get(call.path_params["image_generation_id"])
    if job is None:
        return fail(404, "NOT_FOUND", "Image generation not found")
    status = settle(state, job, job["credits_used"])
    body = {k: job[k] for k in ("image_generation_id", "prompt", "size", "quantity")}
    body.update(status=status, created_at=iso(job["created"]))
    if status == "completed":
        root = base_url(call)
        images = []
        for i in range(job["quantity"]):
            media_id = f"{job['image_generation_id'][:23]}-img{i}"
            state.powerpost["media"].setdefault(
                media_id,
                {
                    "media_id": media_id,
                    "type": "image",
                    "generated": True,
                    "prompt": job["prompt"],
                    "size": job["size"],
                    "index": i,
                },
            )
            width, height = {
                "square": (1024, 1024),
                "feed": (1024, 1280),
                "portrait": (1024, 1820),
                "landscape": (1820, 1024),
            }[job["size"]]
            images.append(
                {
                    "media_id": media_id,
                    "url": f"{root}/files/powerpost/{media_id}.png",
                    "thumbnail_url": f"{root}/files/powerpost/{media_id}.png?thumb=1",
                    "width": width,
                    "height": height,
                }
            )
        body["images"] = images
    elif status == "failed":
        body["images"] = []
        body["error"] = {"code": "GENERATION_FAILED", "message": "Image generation failed"}
    return Reply(200, body)


def routes(state: SandboxState) -> list[Route]:
    return [
        API.route(state, "POST", "/images/generate", generate_images),
        API.route(state, "GET", "/images/generations/{image_generation_id}", get_images),
    ]

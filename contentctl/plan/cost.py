"""Estimated credits per step, from a price table the project can override.

Estimates only: after apply, what the APIs report as ``credits_used`` is recorded and wins.
"""

from __future__ import annotations

from contentctl.config import Prices
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec


def estimate(step: StepSpec, resource: Resource, prices: Prices) -> float:
    """Credits this step is expected to cost when it runs."""
    if not step.paid:
        return 0
    spec = resource.spec
    if step.name == "captions":
        captions = spec.get("captions") or {}
        base = (
            prices.captions_deep
            if captions.get("research_mode") == "deep"
            else prices.captions_regular
        )
        return base + prices.captions_per_image * len(captions.get("media", []))
    if step.name == "images":
        images = spec.get("images") or {}
        per_image = prices.image.get(images.get("model", "flux2-flex"), 0)
        return float(per_image * images.get("quantity", 1))
    if step.name == "publish":
        surcharge = prices.publish_x_surcharge if "x-post" in spec.get("post_types", []) else 0
        return prices.publish + surcharge
    if step.name == "video":
        per_second = prices.video_per_second.get(spec.get("model", "kling-3.0-pro"), 0)
        audio = prices.video_audio_per_second if spec.get("audio") else 0
        return float((per_second + audio) * spec["duration"])
    if step.name == "render":
        if "slides" in spec:
            return prices.carousel_import_slide * len(spec["slides"])
        if "slide" in spec:
            return prices.carousel_import_slide
        if spec.get("post_type") == "IMAGE":
            return prices.carousel_ai_slide
        slides = spec.get("generate", {}).get("expected_slides", prices.carousel_ai_default_slides)
        return float(prices.carousel_ai_slide * slides)
    return 0

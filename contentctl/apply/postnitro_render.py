"""A carousel rendered by PostNitro: the paid job, from slides, an AI generation or one image.
Its slides' bodies are :mod:`contentctl.apply.postnitro_slides`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contentctl.apply.jobs import poll_job
from contentctl.apply.postnitro_slides import slide_body
from contentctl.apply.runners import UNKNOWN, Collected, Reconciled, StepContext, Submitted
from contentctl.errors import JobFailedError
from contentctl.providers.postnitro import design_id, image_generation_warning, output_files


class Render:
    job = True
    paid = True
    in_place = False

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        return UNKNOWN  # PostNitro has no list of jobs; requestorId is only a label

    async def submit(self, ctx: StepContext) -> Submitted:
        spec = ctx.resource.spec
        ids = ctx.up(ctx.resource.address, "lookup").outputs
        body: dict[str, Any] = {
            "postType": spec.get("post_type", "CAROUSEL"),
            "requestorId": ctx.request_ref,
            "templateId": ids["template_id"],
            "brandId": ids["brand_id"],
            "responseType": spec.get("response_type", "PNG"),
        }
        images = spec.get("generate_images")
        if images is not None:
            renamed = {
                "context": "context",
                "placement": "imagePlacement",
                "strategy": "imageStrategy",
            }
            body["generateImages"] = {renamed[k]: v for k, v in images.items()}
        client = ctx.providers.require_postnitro()
        if "generate" in spec:
            generate = spec["generate"]
            body["presetId"] = generate["preset_id"]
            body["aiGeneration"] = {
                k: generate[k] for k in ("type", "context", "instructions") if k in generate
            }
            answer = await client.initiate_generate(body)
        elif "slide" in spec:  # an IMAGE: one slide object, without a type
            body["slides"] = slide_body(spec["slide"], ctx.resource.address, 1)
            answer = await client.initiate_import(body)
        else:
            body["slides"] = [
                slide_body(s, ctx.resource.address, i) for i, s in enumerate(spec["slides"], 1)
            ]
            answer = await client.initiate_import(body)
        return Submitted(str(answer["embedPostId"]))

    async def collect(self, ctx: StepContext, remote_id: str) -> Collected:
        client = ctx.providers.require_postnitro()
        status = await poll_job(
            ctx,
            "postnitro",
            lambda: client.status(remote_id),
            lambda s: s.get("embedPost", {}).get("status") in ("COMPLETED", "FAILED"),
            f"carousel {remote_id}",
        )
        if status["embedPost"]["status"] == "FAILED":
            logs = status.get("logs") or [{}]
            raise JobFailedError(
                str(logs[-1].get("message") or "carousel rendering failed"), provider="postnitro"
            )
        output = await client.output(remote_id)
        result = output.get("result") or {}
        size = result.get("size")
        outputs = {
            "design_id": design_id(result),
            "editor_url": result.get("editorUrl"),
            "name": result.get("name"),
            "type": result.get("type"),
            "size": size.get("id") if isinstance(size, Mapping) else size,
            "files": output_files(result),
            # PostNitro does not say how long these links last: the files are kept in out/.
            "urls_expire": "unknown; download promptly",
        }
        warning = image_generation_warning(status)
        return Collected(
            outputs,
            (output.get("embedPost") or {}).get("credits"),
            warnings=(warning,) if warning else (),
        )

"""PostNitro steps: look up template and brand, render the carousel, download its files;
brands. Scheduled posts are in :mod:`contentctl.apply.postnitro_schedule`."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from contentctl.apply.postnitro_slides import slide_body
from contentctl.apply.runners import (
    ABSENT,
    UNKNOWN,
    Collected,
    InPlace,
    Reconciled,
    StepContext,
    Submitted,
    SyncStep,
)
from contentctl.errors import ContentctlError, JobFailedError
from contentctl.providers.polling import poll
from contentctl.providers.postnitro import design_id, image_generation_warning, output_files


class Lookup(SyncStep):
    paid = False

    async def submit(self, ctx: StepContext) -> Submitted:
        client = ctx.providers.require_postnitro()
        spec = ctx.resource.spec
        template_id = spec.get("template_id") or _by_name(
            await client.templates(), spec["template"]["name"], "template"
        )
        brand = spec.get("brand")
        if isinstance(brand, str):  # a Brand managed in this project
            brand_id = str(ctx.up(brand, "brand").remote_id)
        else:
            brand_id = spec.get("brand_id") or _by_name(
                await client.brands(), spec["brand"]["name"], "brand"
            )
        return Submitted(None, 0, {"template_id": template_id, "brand_id": brand_id})


def _by_name(items: Sequence[Mapping[str, Any]], name: str, what: str) -> str:
    for item in items:
        if item.get("name") == name:
            return str(item["id"])
    names = ", ".join(repr(i.get("name")) for i in items) or "none"
    raise ContentctlError(
        f"no PostNitro {what} named {name!r}", hint=f"{what}s in this workspace: {names}"
    )


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
        status = await poll(
            lambda: client.status(remote_id),
            lambda s: s.get("embedPost", {}).get("status") in ("COMPLETED", "FAILED"),
            ctx.polling["postnitro"],
            provider="postnitro",
            what=f"carousel {remote_id}",
            sleep=ctx.sleep,
            durations=ctx.durations,
            kind=ctx.spec.name,
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


class Download(SyncStep):
    paid = False

    async def submit(self, ctx: StepContext) -> Submitted:
        render = ctx.up(ctx.resource.address, "render").outputs
        folder = Path(ctx.project.out_dir) / ctx.resource.name
        target = ctx.project.root / folder
        files = []
        sources = list(render.get("files", []))
        for i, source in enumerate(sources):
            target.mkdir(parents=True, exist_ok=True)
            content, mime = await ctx.providers.downloads.fetch(source)
            extension = mimetypes.guess_extension(mime) or ".bin"
            name = (
                f"slide_{i + 1:02d}{extension}"
                if extension != ".pdf"
                else f"{ctx.resource.name}.pdf"
            )
            try:
                (target / name).write_bytes(content)
            except OSError as exc:
                raise ContentctlError(
                    f"cannot save {(folder / name).as_posix()}: {exc.strerror or exc}",
                    hint="free disk space (or fix the folder's permissions), then run apply "
                    "again: the render is kept, only the download runs again",
                ) from exc
            files.append(
                {
                    "path": (folder / name).as_posix(),
                    "bytes": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
        return Submitted(None, 0, {"files": files})


class Brand(InPlace):
    """A PostNitro brand: every write sends all seven keys (the API wants nothing else)."""

    what = "brand"
    paid = False

    @staticmethod
    def body(ctx: StepContext) -> dict[str, Any]:
        fields = ctx.spec.fields  # as planned and hashed, with the schema's defaults
        return {
            "name": fields["name"],
            "handle": fields["handle"],
            "image": fields["image"],
            "isCompanyDetail": fields["company_detail"],
            "showName": fields["show_name"],
            "showHandle": fields["show_handle"],
            "showImage": fields["show_image"],
        }

    @staticmethod
    def _outputs(brand: Mapping[str, Any]) -> dict[str, Any]:
        return {k: brand[k] for k in ("id", "name", "handle") if k in brand}

    async def create(self, ctx: StepContext) -> tuple[str, Mapping[str, Any]]:
        brand = await ctx.providers.require_postnitro().create_brand(self.body(ctx))
        return str(brand["id"]), self._outputs(brand)

    async def update(self, ctx: StepContext, remote_id: str) -> Mapping[str, Any]:
        client = ctx.providers.require_postnitro()
        return self._outputs(await client.update_brand(remote_id, self.body(ctx)))

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """An interrupted creation is found by name and handle among the brands."""
        if ctx.previous and ctx.previous.remote_id:
            return Reconciled(ctx.previous.remote_id)  # an interrupted update: send it again
        body = self.body(ctx)
        for brand in await ctx.providers.require_postnitro().brands():
            brand_id = str(brand.get("id") or "")
            if (
                brand_id
                and brand_id not in ctx.known_ids
                and brand.get("name") == body["name"]
                and brand.get("handle") == body["handle"]
            ):
                return Reconciled(brand_id)
        return ABSENT

"""PostNitro steps: look up template and brand, render the carousel, download its files;
brands; scheduled posts and the social accounts they go to."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from contentctl.apply.runners import (
    ABSENT,
    UNKNOWN,
    Collected,
    InPlace,
    Reconciled,
    StepContext,
    Submitted,
    SyncStep,
    seconds_of,
)
from contentctl.errors import ContentctlError, JobFailedError
from contentctl.providers import Providers
from contentctl.providers.http import poll
from contentctl.providers.postnitro import design_id, output_files


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
            body["slides"] = _slide(spec["slide"])
            answer = await client.initiate_import(body)
        else:
            body["slides"] = [_slide(s) for s in spec["slides"]]
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
        return Collected(outputs, (output.get("embedPost") or {}).get("credits"))


def _slide(slide: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        k: slide[k]
        for k in (
            "type",
            "heading",
            "sub_heading",
            "description",
            "cta_button",
            "image",
            "background_image",
        )
        if k in slide
    }
    if slide.get("layout"):
        out["layoutType"] = slide["layout"]
    info = slide.get("infographic")
    if info:
        config: dict[str, Any] = {
            "columnCount": info["column_count"],
            "columnDisplay": info["column_display"],
            "displayCounterAs": info["display_counter_as"],
            "hasHeader": info["has_header"],
        }
        if "columns" in info:
            config["columnData"] = info["columns"]
        out["layoutConfig"] = config
    return out


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
    def _body(ctx: StepContext) -> dict[str, Any]:
        spec = ctx.resource.spec
        return {
            "name": spec["name"],
            "handle": spec["handle"],
            "image": spec["image"],
            "isCompanyDetail": spec.get("company_detail", False),
            "showName": spec.get("show_name", True),
            "showHandle": spec.get("show_handle", True),
            "showImage": spec.get("show_image", True),
        }

    @staticmethod
    def _outputs(brand: Mapping[str, Any]) -> dict[str, Any]:
        return {k: brand[k] for k in ("id", "name", "handle") if k in brand}

    async def create(self, ctx: StepContext) -> tuple[str, Mapping[str, Any]]:
        brand = await ctx.providers.require_postnitro().create_brand(self._body(ctx))
        return str(brand["id"]), self._outputs(brand)

    async def update(self, ctx: StepContext, remote_id: str) -> Mapping[str, Any]:
        client = ctx.providers.require_postnitro()
        return self._outputs(await client.update_brand(remote_id, self._body(ctx)))

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """An interrupted creation is found by name and handle among the brands."""
        if ctx.previous and ctx.previous.remote_id:
            return Reconciled(ctx.previous.remote_id)  # an interrupted update: send it again
        body = self._body(ctx)
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


class Accounts(SyncStep):
    """Social accounts by platform and handle, resolved to PostNitro's ids (free)."""

    paid = False

    async def submit(self, ctx: StepContext) -> Submitted:
        connected = await ctx.providers.require_postnitro().social_accounts()
        wanted: Mapping[str, Sequence[str]] = ctx.resource.spec["accounts"]
        ids = []
        for platform, handles in wanted.items():
            known = {
                str(a.get("accountHandle", "")).lstrip("@"): a for a in connected.get(platform, [])
            }
            for handle in handles:
                account = known.get(handle.lstrip("@"))
                if account is None:
                    names = ", ".join(sorted(known)) or "none"
                    raise ContentctlError(
                        f"no {platform} account {handle!r} is connected in PostNitro",
                        hint=f"connected {platform} accounts: {names}; connect accounts in "
                        "the PostNitro app",
                    )
                if account.get("accessTokenStatus", "active") != "active":
                    raise ContentctlError(
                        f"the {platform} account {handle!r} needs reconnecting in PostNitro "
                        f"(token {account.get('accessTokenStatus')})"
                    )
                ids.append(str(account["id"]))
        return Submitted(None, 0, {"account_ids": ids})


SETTINGS_KEYS = {
    "linkedin": {"post_type": "postType", "title": "postTitle"},
    "instagram": {"post_type": "postType", "story": "postAsStory"},
    "tiktok": {
        "post_type": "postType",
        "privacy": "privacyLevel",
        "allow_comments": "canComment",
        "allow_duet": "canDuet",
        "allow_stitch": "canStitch",
        "auto_add_music": "autoAddMusic",
        "title": "postTitle",
        "branded_content": "isBrandedContent",
        "your_brand": "isYourBrand",
        "third_party_brand": "isThirdPartyBrand",
        "ai_generated": "isAIGeneratedContent",
    },
    "threads": {"post_type": "postType"},
}
# TikTok's booleans the API requires, with the defaults the schema documents.
TIKTOK_DEFAULTS = {
    "allow_comments": True,
    "branded_content": False,
    "your_brand": False,
    "third_party_brand": False,
}


class Schedule(InPlace):
    """A scheduled post: POST once, PUT (which replaces captions and accounts) after.

    Creation is recorded before it is sent, and an interrupted one is found again by listing
    the posts scheduled at that time: a duplicate would publish twice.
    """

    what = "scheduled post"
    deletable = True
    paid = False  # but a duplicate publishes twice: reconcile() always gives an answer

    @staticmethod
    def _body(ctx: StepContext) -> dict[str, Any]:
        fields = ctx.spec.fields
        body: dict[str, Any] = {"status": fields["status"], "scheduledAt": fields["at"]}
        carousel = ctx.resource.spec.get("carousel")
        if carousel:
            design = ctx.up(carousel, "render").outputs.get("design_id")
            if not design:
                raise ContentctlError(
                    f"{carousel} has no PostNitro design id to schedule",
                    hint=f"render it again: apply --replace {carousel}",
                )
            body["designId"] = design
        else:
            body["designId"] = None
        if fields["captions"]:
            body["postContent"] = dict(fields["captions"])
        accounts = ctx.own("accounts")
        body["selectedAccounts"] = list(accounts.outputs["account_ids"]) if accounts else []
        for platform, names in SETTINGS_KEYS.items():
            if platform in fields:
                given = {**(TIKTOK_DEFAULTS if platform == "tiktok" else {}), **fields[platform]}
                body[f"{platform}PostSettings"] = {names[k]: v for k, v in given.items()}
        reel = fields.get("reel")
        if reel:
            body["postSettings"] = {
                "videoDuration": reel["video_duration"],
                **({"audioId": reel["audio_id"]} if "audio_id" in reel else {}),
            }
        return body

    @staticmethod
    def outputs_of(post: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": post.get("id"),
            "status": post.get("status"),
            "scheduled_for": post.get("scheduledFor"),
            "design_id": post.get("designId"),
            "accounts": [
                {"id": a.get("socialAccountId"), "status": a.get("status")}
                for a in post.get("socialAccounts") or []
            ],
        }

    async def create(self, ctx: StepContext) -> tuple[str, Mapping[str, Any]]:
        post = await ctx.providers.require_postnitro().create_schedule(self._body(ctx))
        return str(post["id"]), self.outputs_of(post)

    async def update(self, ctx: StepContext, remote_id: str) -> Mapping[str, Any]:
        client = ctx.providers.require_postnitro()
        return self.outputs_of(await client.update_schedule(remote_id, self._body(ctx)))

    async def remove(self, providers: Providers, remote_id: str) -> None:
        await providers.require_postnitro().delete_schedule(remote_id)

    async def reconcile(self, ctx: StepContext) -> Reconciled:
        """The post an interrupted creation made: same time and design, not tracked yet."""
        if ctx.previous and ctx.previous.remote_id:
            return Reconciled(ctx.previous.remote_id)  # an interrupted update: send it again
        body = self._body(ctx)
        at = seconds_of(body["scheduledAt"])
        window = (
            datetime.fromtimestamp(at - 60, timezone.utc),
            datetime.fromtimestamp(at + 60, timezone.utc),
        )
        client = ctx.providers.require_postnitro()
        rows = await client.schedules(*(w.strftime("%Y-%m-%dT%H:%M:%SZ") for w in window))
        for row in rows:
            if (
                row.get("id") not in ctx.known_ids
                and row.get("designId") == body["designId"]
                and seconds_of(row.get("scheduledFor")) == at
            ):
                return Reconciled(str(row["id"]))
        return ABSENT

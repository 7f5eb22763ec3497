"""Post: a PowerPost post. Captions and images may be generated first, carousel slides
uploaded as its images, and the post published; PowerPost has no way to delete or edit a
post, so an update creates another one and leaves the old draft behind."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.captions import POST_TYPE_PLATFORM
from contentctl.config import Prices
from contentctl.kinds import media, video
from contentctl.kinds.kind import Content, Kind, completed_outputs, present, schema_defaults
from contentctl.kinds.post_checks import check
from contentctl.kinds.post_drift import drift
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec, Upstream
from contentctl.validate.semantic import post_carousels, post_references

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner
    from contentctl.lockfile.records import ResourceRecord
    from contentctl.providers import Providers

SCHEMA = "post.schema.json"
# Which step of a referenced resource each kind of Post media comes from; carousels come
# through the slides step.
MEDIA_STEP = {k.prefix: k.media_step for k in (media.KIND, video.KIND) if k.media_step}


# A Post's media may be uploaded files, videos or PNG carousels.
MEDIA = frozenset({"media", "carousel", "video"})
REFERENCES = (
    (("captions", "media"), frozenset({"media"})),
    (("images", "style_images"), frozenset({"media"})),
    (("images", "media"), MEDIA),
    (("items", "*", "media"), MEDIA),
)


def steps(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    spec = resource.spec
    me = resource.address
    captions: Mapping[str, Any] = spec.get("captions") or {}
    images: Mapping[str, Any] = spec.get("images") or {}
    chain: list[StepSpec] = []
    post_upstream: list[Upstream] = []
    generated = "prompt" in captions
    if generated:
        chain.append(_captions(spec, captions))
        post_upstream.append(Upstream(me, "captions"))
    if images and "media" not in images:
        chain.append(_images(me, images, generated))
        post_upstream.append(Upstream(me, "images"))
    carousels = post_carousels(spec)
    if carousels:
        upstream = tuple(Upstream(c, "render") for c in carousels)
        chain.append(
            StepSpec(
                "slides",
                "powerpost",
                paid=False,
                fields={"carousels": len(carousels)},
                upstream=upstream,
            )
        )
        post_upstream.append(Upstream(me, "slides"))
    refs = post_references(spec)
    for ref in refs:
        step = MEDIA_STEP.get(ref.partition("/")[0])
        if step:
            post_upstream.append(Upstream(ref, step))
    chain.append(_post(spec, captions, images, refs, tuple(post_upstream)))
    if spec.get("publish"):
        chain.append(
            StepSpec(
                "publish",
                "powerpost",
                paid=True,
                fields={"publish": True, "post_types": list(spec["post_types"])},
                upstream=(Upstream(me, "post"),),
                publishes=True,
            )
        )
    return tuple(chain)


def _captions(spec: Mapping[str, Any], captions: Mapping[str, Any]) -> StepSpec:
    fields = {
        "post_types": list(spec["post_types"]),
        **present(
            captions,
            "captions",
            ("prompt", "research_mode", "writing_style_id", "cta_text", "source_urls"),
            schema_defaults(SCHEMA, ("captions",), ("research_mode",)),
        ),
    }
    upstream = tuple(Upstream(a, "upload") for a in captions.get("media", []))
    return StepSpec("captions", "powerpost", paid=True, fields=fields, upstream=upstream)


def _images(me: str, images: Mapping[str, Any], generated: bool) -> StepSpec:
    fields = present(
        images,
        "images",
        ("prompt", "size", "quantity", "model", "enhance_prompt", "source_post_type"),
        schema_defaults(SCHEMA, ("images",), ("size", "quantity", "model")),
    )
    inputs = [Upstream(a, "upload") for a in images.get("style_images", [])]
    if "prompt" not in images and generated:
        inputs.append(Upstream(me, "captions"))
    return StepSpec("images", "powerpost", paid=True, fields=fields, upstream=tuple(inputs))


def _post(
    spec: Mapping[str, Any],
    captions: Mapping[str, Any],
    images: Mapping[str, Any],
    refs: list[str],
    upstream: tuple[Upstream, ...],
) -> StepSpec:
    # Media count by position among the references, never by address (see input_hash).
    items = [
        {**i, "media": [refs.index(r) for r in i["media"]]} if "media" in i else i
        for i in spec.get("items", [])
    ]
    fields = {
        "post_types": list(spec["post_types"]),
        "items": items,
        "captions.text": captions.get("text"),
    }
    if refs:
        fields["media"] = [refs.index(r) for r in images.get("media", [])]
    # PowerPost documents no way to delete or edit a post: an update creates another one.
    return StepSpec(
        "post", "powerpost", paid=False, fields=fields, upstream=upstream, leaves_behind="draft"
    )


def estimate(step: StepSpec, resource: Resource, prices: Prices) -> float:
    spec = resource.spec
    if step.name == "captions":
        captions = spec.get("captions") or {}
        deep = captions.get("research_mode") == "deep"
        base = prices.captions_deep if deep else prices.captions_regular
        return base + prices.captions_per_image * len(captions.get("media", []))
    if step.name == "images":
        per_image = prices.image.get(step.fields["images.model"], 0)
        return float(per_image * step.fields["images.quantity"])
    if step.name == "publish":
        surcharge = prices.publish_x_surcharge if "x-post" in spec.get("post_types", []) else 0
        return prices.publish + surcharge
    return 0


async def read(providers: Providers, remote_id: str) -> dict[str, Any]:
    post = await providers.require_powerpost().get_post(remote_id)
    keep = ("item_id", "post_type", "platform", "status")
    items = [{k: i.get(k) for k in keep if i.get(k) is not None} for i in post.get("items", [])]
    return {"post_id": post["post_id"], "status": post.get("status"), "items": items}


def content(resource: Resource, record: ResourceRecord | None, root: Path) -> Content:
    spec = resource.spec
    literal = (spec.get("captions") or {}).get("text") or {}
    platforms: dict[str, tuple[str, ...]] = {}
    for post_type in spec.get("post_types", []):
        platform = POST_TYPE_PLATFORM.get(post_type, post_type)
        platforms[platform] = (*platforms.get(platform, ()), post_type)
    generated = completed_outputs(record, "images").get("images", [])
    return Content(
        captions={**literal, **completed_outputs(record, "captions")},
        platforms=platforms,
        images=tuple(i for i in generated if isinstance(i, Mapping)),
        uses=tuple(post_references(spec)),
    )


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.powerpost_captions import Captions
    from contentctl.apply.powerpost_images import Images
    from contentctl.apply.powerpost_media import CarouselSlides
    from contentctl.apply.powerpost_posts import CreatePost, Publish

    return {
        "captions": Captions(),
        "images": Images(),
        "slides": CarouselSlides(),
        "post": CreatePost(),
        "publish": Publish(),
    }


KIND = Kind(
    name="Post",
    schema=SCHEMA,
    provider="powerpost",
    owning_step="post",
    steps=steps,
    runners=runners,
    read=read,
    content=content,
    references=REFERENCES,
    check=check,
    estimate=estimate,
    drift=drift,
)

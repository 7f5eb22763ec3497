"""Post: a PowerPost post. Captions and images may be generated first, carousel slides
uploaded as its images, and the post published; PowerPost has no way to delete or edit a
post, so an update creates another one and leaves the old draft behind."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.captions import POST_TYPE_PLATFORM
from contentctl.config import Prices
from contentctl.errors import ApiError
from contentctl.kinds import media, video
from contentctl.kinds.kind import Content, Kind, completed_outputs, present, schema_defaults
from contentctl.model import Diagnostic, Resource
from contentctl.plan.steps import StepSpec, Upstream
from contentctl.validate import captions as captions_check
from contentctl.validate.semantic import post_carousels, post_media, post_references, url_problems

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner
    from contentctl.lockfile.records import ResourceRecord, StepRecord
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


async def drift(address: str, record: ResourceRecord, providers: Providers) -> AsyncIterator[str]:
    post = record.steps.get("post")
    if post and post.status == "completed" and post.remote_id:
        async for found in _post_drift(post.remote_id, record.steps.get("publish"), providers):
            yield found
    async for found in _left_behind(record, providers):
        yield found


async def _post_drift(
    post_id: str, published: StepRecord | None, providers: Providers
) -> AsyncIterator[str]:
    try:
        remote = await providers.require_powerpost().get_post(post_id)
    except ApiError as exc:
        if exc.status == 404:
            yield f"post {post_id} no longer exists in PowerPost"
            return
        raise
    status = remote.get("status")
    items = remote.get("items", [])
    was_published = published is not None and published.status == "completed"
    if was_published and status == "failed":
        states = ", ".join(f"{i.get('post_type')} {i.get('status')}" for i in items)
        yield f"publishing failed remotely: {states}"
    elif not was_published and status in ("publishing", "published"):
        yield f"post {post_id} was published outside contentctl"
    failed = [i.get("post_type") for i in items if i.get("status") == "failed"]
    if failed and status != "failed":
        yield f"items failed to post: {', '.join(map(str, failed))}"


async def _left_behind(record: ResourceRecord, providers: Providers) -> AsyncIterator[str]:
    """Drafts an update replaced, still in PowerPost (which has no API to delete them)."""
    for orphan in record.orphans:
        kept = orphan.get("record") or {}
        post_id = kept.get("remote_id")
        if orphan.get("step") != "post" or not post_id:
            continue
        try:
            remote = await providers.require_powerpost().get_post(str(post_id))
        except ApiError as exc:
            if exc.status == 404:
                continue  # deleted in PowerPost since
            raise
        yield (
            f"{remote.get('status') or 'draft'} post {post_id}, replaced by an update, is "
            "still in PowerPost: delete it there (`contentctl state orphans` lists them)"
        )


def check(
    root: Path, resource: Resource, others: Mapping[str, Resource] | None
) -> Iterator[Diagnostic]:
    yield from _fields(resource)
    if others is not None:
        yield from _carousel_slides(resource, others)
    yield from captions_check.post(resource)
    sources = (resource.spec.get("captions") or {}).get("source_urls", [])
    urls = ((("spec", "captions", "source_urls", i), url) for i, url in enumerate(sources))
    yield from url_problems(resource, urls)


def _fields(resource: Resource) -> Iterator[Diagnostic]:
    spec = resource.spec
    post_types = list(spec.get("post_types", []))
    items = {
        item.get("post_type"): item for item in spec.get("items", []) if isinstance(item, dict)
    }
    captions = spec.get("captions") or {}
    yield from _items(resource, post_types)
    yield from _captions_given(resource, post_types, items, captions)
    yield from _titles(resource, post_types, items, captions)
    yield from _images_asked(resource, captions)


def _items(resource: Resource, post_types: list[str]) -> Iterator[Diagnostic]:
    for i, item in enumerate(resource.spec.get("items", [])):
        if isinstance(item, dict) and item.get("post_type") not in post_types:
            yield Diagnostic(
                resource.document.positions.of(("spec", "items", i, "post_type")),
                f"item for {item.get('post_type')} but that type is not in spec.post_types",
                hint="add it to post_types or remove the item",
            )


def _captions_given(
    resource: Resource,
    post_types: list[str],
    items: Mapping[Any, Mapping[str, Any]],
    captions: Mapping[str, Any],
) -> Iterator[Diagnostic]:
    """Every post type has a caption: generated, literal, or its item's content."""
    where = resource.document.positions
    literal = captions.get("text")
    if not captions:
        for post_type in post_types:
            if "content" not in items.get(post_type, {}):
                yield Diagnostic(
                    where.of(("spec",)),
                    f"no caption for {post_type}: spec.captions is missing",
                    hint="add captions.prompt (generated) or captions.text (literal)",
                )
    if not isinstance(literal, dict):
        return
    for extra in ("research_mode", "media", "writing_style_id", "cta_text", "source_urls"):
        if extra in captions:
            yield Diagnostic(
                where.of(("spec", "captions", extra), key=True),
                f"captions.{extra} applies only to generated captions (prompt)",
                hint="remove it, or replace captions.text with captions.prompt",
            )
    for post_type in post_types:
        platform = POST_TYPE_PLATFORM.get(post_type)
        if platform not in literal and "content" not in items.get(post_type, {}):
            yield Diagnostic(
                where.of(("spec", "captions", "text")),
                f"no caption for {post_type}: captions.text has no '{platform}'",
                hint=f"add captions.text.{platform}, or an item with content",
            )
    platforms = {POST_TYPE_PLATFORM[t] for t in post_types if t in POST_TYPE_PLATFORM}
    for platform in sorted(set(literal) - platforms):
        yield Diagnostic(
            where.of(("spec", "captions", "text", platform), key=True),
            f"caption for {platform}, but no post type of that platform is listed",
            severity="warning",
        )


def _titles(
    resource: Resource,
    post_types: list[str],
    items: Mapping[Any, Mapping[str, Any]],
    captions: Mapping[str, Any],
) -> Iterator[Diagnostic]:
    """YouTube needs a title unless captions are generated."""
    literal = captions.get("text")
    for post_type in post_types:
        if POST_TYPE_PLATFORM.get(post_type) != "youtube" or "prompt" in captions:
            continue
        has_title = "title" in items.get(post_type, {}) or (
            isinstance(literal, dict) and isinstance(literal.get("youtube"), dict)
        )
        if not has_title:
            yield Diagnostic(
                resource.document.positions.of(("spec", "post_types")),
                f"{post_type} needs a title",
                hint=f"add an item {{post_type: {post_type}, title: ...}}",
            )


def _images_asked(resource: Resource, captions: Mapping[str, Any]) -> Iterator[Diagnostic]:
    where = resource.document.positions
    images = resource.spec.get("images") or {}
    if images and "media" in images:
        for extra in sorted(set(images) - {"media"}):
            yield Diagnostic(
                where.of(("spec", "images", extra), key=True),
                f"images.{extra} has no effect with images.media (no images are generated)",
                hint="remove it, or remove images.media to generate images",
            )
    elif images and "prompt" not in images and "prompt" not in captions:
        yield Diagnostic(
            where.of(("spec", "images")),
            "images need a prompt when captions are not generated",
            hint="add images.prompt, or use captions.prompt so images illustrate them",
        )


def _carousel_slides(resource: Resource, others: Mapping[str, Resource]) -> Iterator[Diagnostic]:
    """Carousel slides become PowerPost images only when the carousel renders PNG."""
    for path, ref in post_media(resource.spec):
        target = others.get(ref)
        if target is None or target.kind != "Carousel":
            continue
        response = target.spec.get("response_type", "PNG")
        if response != "PNG":
            yield Diagnostic(
                resource.document.positions.of(path),
                f"{ref} renders {response}; a post can use only PNG slides",
                json_path=path,
                hint=f"set response_type: PNG on {ref}",
            )


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

"""Each resource is a short chain of steps, one per API call that creates something.

A step's input hash covers exactly the spec fields it sends plus the identities of the
upstream results it consumes, so a change re-runs that step and what depends on it,
and nothing upstream.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contentctl.lockfile import StepRecord
from contentctl.model import Resource
from contentctl.plan import media_hashes
from contentctl.validate.semantic import (
    media_path,
    media_type,
    post_media,
    schedule_time,
    utc_text,
)

PROVIDER_OF_KIND = {
    "Post": "powerpost",
    "Media": "powerpost",
    "Video": "powerpost",
    "CalendarEntry": "powerpost",
    "Carousel": "postnitro",
    "Brand": "postnitro",
    "Schedule": "postnitro",
}
# Kinds the API can delete, and the step whose remote id is the object to delete. Other
# kinds are forgotten when their manifest goes away: the remote object stays.
DELETED_THROUGH = {"Schedule": "schedule", "CalendarEntry": "entry"}
# The step of each kind whose remote id is the resource's identity (import, outputs).
OWNING_STEP = {
    "Post": "post",
    "Carousel": "render",
    "Media": "upload",
    "Video": "video",
    "Brand": "brand",
    "Schedule": "schedule",
    "CalendarEntry": "entry",
}
# The hash recorded for an object adopted by `import` whose manifest must be sent to it once:
# no input hashes to it.
IMPORTED_HASH = "sha256:" + "0" * 64
# The hash recorded over a completed step when `apply --replace` starts on its resource, and
# replaced by the step's new record once it has run again: an interrupted replace leaves it,
# so the next apply regenerates that step too instead of keeping the old result.
REPLACING_HASH = "sha256:" + "f" * 64
# Which step of a referenced resource a Post's media come from.
MEDIA_STEP = {"media": "upload", "video": "video"}


@dataclass(frozen=True)
class Upstream:
    """A result a step consumes: step ``step`` of resource ``address``."""

    address: str
    step: str

    @property
    def key(self) -> str:
        return f"{self.address}#{self.step}"


@dataclass(frozen=True)
class StepSpec:
    """What one step sends (``fields``, keyed by spec path) and which results it needs."""

    name: str
    provider: str
    paid: bool
    fields: Mapping[str, Any]
    upstream: tuple[Upstream, ...] = ()
    publishes: bool = False  # running it puts content in front of the public
    in_place: bool = False  # re-running updates the same remote object (same id)
    # Re-running it makes a new remote object and the API cannot delete the one it had made
    # (a PowerPost draft): what that one is called, to say it is left behind.
    leaves_behind: str | None = None


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def identity(record: StepRecord) -> str:
    """What downstream steps hash of an upstream result: its remote id, else its outputs."""
    return record.remote_id or "sha256:" + digest(record.outputs)


def input_hash(spec: StepSpec, upstream: Mapping[str, StepRecord]) -> str:
    # Upstream results count by identity, in the order they are sent, never by address:
    # renaming a resource (a moved: block) must not change what its steps hash to.
    identities = [identity(upstream[u.key]) for u in spec.upstream]
    return "sha256:" + digest({"step": spec.name, "fields": spec.fields, "upstream": identities})


def steps_for(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    return _BUILDERS[resource.kind](resource, root)


def _present(
    mapping: Mapping[str, Any],
    prefix: str,
    keys: tuple[str, ...],
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    defaults = defaults or {}
    out = {
        (f"{prefix}.{k}" if prefix else k): mapping.get(k, defaults.get(k))
        for k in keys
        if k in mapping or k in defaults
    }
    return out


def _media(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    path = media_path(root, resource)
    try:
        content = media_hashes.for_project(root).digest(path)
    except OSError:
        content = "missing"
    fields = {"file": content, "type": media_type(resource), "file_name": path.name}
    return (StepSpec("upload", "powerpost", paid=False, fields=fields),)


def _post(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    spec = resource.spec
    me = resource.address
    captions: Mapping[str, Any] = spec.get("captions") or {}
    images: Mapping[str, Any] = spec.get("images") or {}
    steps: list[StepSpec] = []
    post_upstream: list[Upstream] = []
    generated = "prompt" in captions
    if generated:
        fields = {
            "post_types": list(spec["post_types"]),
            **_present(
                captions,
                "captions",
                ("prompt", "research_mode", "writing_style_id", "cta_text", "source_urls"),
                {"research_mode": "regular"},
            ),
        }
        upstream = tuple(Upstream(a, "upload") for a in captions.get("media", []))
        steps.append(StepSpec("captions", "powerpost", paid=True, fields=fields, upstream=upstream))
        post_upstream.append(Upstream(me, "captions"))
    if images and "media" not in images:
        fields = _present(
            images,
            "images",
            ("prompt", "size", "quantity", "model", "enhance_prompt", "source_post_type"),
            {"size": "square", "quantity": 1, "model": "flux2-flex"},
        )
        image_inputs = [Upstream(a, "upload") for a in images.get("style_images", [])]
        if "prompt" not in images and generated:
            image_inputs.append(Upstream(me, "captions"))
        steps.append(
            StepSpec("images", "powerpost", paid=True, fields=fields, upstream=tuple(image_inputs))
        )
        post_upstream.append(Upstream(me, "images"))
    refs = post_references(spec)
    carousels = post_carousels(spec)
    if carousels:
        steps.append(
            StepSpec(
                "slides",
                "powerpost",
                paid=False,
                fields={"carousels": len(carousels)},
                upstream=tuple(Upstream(c, "render") for c in carousels),
            )
        )
        post_upstream.append(Upstream(me, "slides"))
    for ref in refs:
        kind = ref.partition("/")[0]
        if kind in MEDIA_STEP:
            post_upstream.append(Upstream(ref, MEDIA_STEP[kind]))
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
    steps.append(
        StepSpec(
            "post",
            "powerpost",
            paid=False,
            fields=fields,
            upstream=tuple(post_upstream),
            leaves_behind="draft",
        )
    )
    if spec.get("publish"):
        steps.append(
            StepSpec(
                "publish",
                "powerpost",
                paid=True,
                fields={"publish": True, "post_types": list(spec["post_types"])},
                upstream=(Upstream(me, "post"),),
                publishes=True,
            )
        )
    return tuple(steps)


def post_references(spec: Mapping[str, Any]) -> list[str]:
    """A Post's media references, each once, in the order written."""
    return list(dict.fromkeys(ref for _, ref in post_media(spec)))


def post_carousels(spec: Mapping[str, Any]) -> list[str]:
    """The carousels whose slides a Post uses, in the order its slides step uploads them."""
    return [r for r in post_references(spec) if r.startswith("carousel/")]


def _carousel(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    spec = resource.spec
    me = resource.address
    brand = spec.get("brand")
    managed_brand = isinstance(brand, str)
    lookup = {
        "template": spec.get("template") or {"id": spec.get("template_id")},
        # A managed brand counts by its id (an upstream identity), not by its address.
        "brand": {"managed": True} if managed_brand else brand or {"id": spec.get("brand_id")},
    }
    if "generate" in spec:
        source: dict[str, Any] = {
            "generate": {k: v for k, v in spec["generate"].items() if k != "expected_slides"}
        }
    elif "slide" in spec:
        source = {"slide": spec["slide"]}
    else:
        source = {"slides": spec["slides"]}
    render = {
        "post_type": spec.get("post_type", "CAROUSEL"),
        "response_type": spec.get("response_type", "PNG"),
        # Optional fields enter the hash only when set: adding one never re-renders the rest.
        **({"generate_images": spec["generate_images"]} if "generate_images" in spec else {}),
        **source,
    }
    return (
        StepSpec(
            "lookup",
            "postnitro",
            paid=False,
            fields=lookup,
            upstream=(Upstream(str(brand), "brand"),) if managed_brand else (),
        ),
        StepSpec(
            "render", "postnitro", paid=True, fields=render, upstream=(Upstream(me, "lookup"),)
        ),
        StepSpec(
            "download", "postnitro", paid=False, fields={}, upstream=(Upstream(me, "render"),)
        ),
    )


def _video(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    spec = resource.spec
    fields = _present(
        spec,
        "",
        ("prompt", "model", "size", "duration", "audio", "enhance_prompt"),
        {"model": "kling-3.0-pro", "size": "landscape", "audio": False},
    )
    source = spec.get("source_image")
    upstream = (Upstream(source, "upload"),) if source else ()
    return (StepSpec("video", "powerpost", paid=True, fields=fields, upstream=upstream),)


def _brand(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    fields = _present(
        resource.spec,
        "",
        ("name", "handle", "image", "company_detail", "show_name", "show_handle", "show_image"),
        {"company_detail": False, "show_name": True, "show_handle": True, "show_image": True},
    )
    return (StepSpec("brand", "postnitro", paid=False, fields=fields, in_place=True),)


SCHEDULE_PLATFORMS = ("linkedin", "instagram", "tiktok", "threads")


def _schedule(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    spec = resource.spec
    me = resource.address
    steps: list[StepSpec] = []
    upstream: list[Upstream] = []
    if spec.get("carousel"):
        upstream.append(Upstream(spec["carousel"], "render"))
    accounts: Mapping[str, Any] = spec.get("accounts") or {}
    if accounts:
        steps.append(
            StepSpec("accounts", "postnitro", paid=False, fields={"accounts": dict(accounts)})
        )
        upstream.append(Upstream(me, "accounts"))
    try:
        at = utc_text(schedule_time(spec))
    except ValueError:
        at = str(spec["at"])  # validation has said what is wrong with it
    status = spec.get("status", "DRAFT")
    fields: dict[str, Any] = {
        "status": status,
        "at": at,
        "captions": dict(spec.get("captions") or {}),
    }
    for platform in SCHEDULE_PLATFORMS:
        if platform in spec or platform in accounts:
            fields[platform] = {"post_type": "carousel", **(spec.get(platform) or {})}
    if "reel" in spec:
        fields["reel"] = dict(spec["reel"])
    steps.append(
        StepSpec(
            "schedule",
            "postnitro",
            paid=False,
            fields=fields,
            upstream=tuple(upstream),
            publishes=status == "SCHEDULED" and bool(accounts),
            in_place=True,
        )
    )
    return tuple(steps)


def _calendar_entry(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    fields = _present(resource.spec, "", ("title", "description", "date", "time", "platforms"))
    return (StepSpec("entry", "powerpost", paid=False, fields=fields, in_place=True),)


_BUILDERS: Mapping[str, Callable[[Resource, Path], tuple[StepSpec, ...]]] = {
    "Media": _media,
    "Post": _post,
    "Carousel": _carousel,
    "Video": _video,
    "Brand": _brand,
    "Schedule": _schedule,
    "CalendarEntry": _calendar_entry,
}

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
from contentctl.model import Resource, address_of
from contentctl.validate.semantic import media_path, media_type

PROVIDER_OF_KIND = {"Post": "powerpost", "Media": "powerpost", "Carousel": "postnitro"}


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
        f"{prefix}.{k}": mapping.get(k, defaults.get(k))
        for k in keys
        if k in mapping or k in defaults
    }
    return out


def _media(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    path = media_path(root, resource)
    try:
        content = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
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
    for ref in images.get("media", []):
        kind, _, name = ref.partition("/")
        post_upstream.append(Upstream(address_of(kind, name), "upload"))
    fields = {
        "post_types": list(spec["post_types"]),
        "items": list(spec.get("items", [])),
        "captions.text": captions.get("text"),
    }
    steps.append(
        StepSpec("post", "powerpost", paid=False, fields=fields, upstream=tuple(post_upstream))
    )
    if spec.get("publish"):
        steps.append(
            StepSpec(
                "publish",
                "powerpost",
                paid=True,
                fields={"publish": True, "post_types": list(spec["post_types"])},
                upstream=(Upstream(me, "post"),),
            )
        )
    return tuple(steps)


def _carousel(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    spec = resource.spec
    me = resource.address
    lookup = {
        "template": spec.get("template") or {"id": spec.get("template_id")},
        "brand": spec.get("brand") or {"id": spec.get("brand_id")},
    }
    if "generate" in spec:
        source: dict[str, Any] = {
            "generate": {k: v for k, v in spec["generate"].items() if k != "expected_slides"}
        }
    else:
        source = {"slides": spec["slides"]}
    render = {
        "post_type": "CAROUSEL",
        "response_type": spec.get("response_type", "PNG"),
        # Optional fields enter the hash only when set: adding one never re-renders the rest.
        **({"generate_images": spec["generate_images"]} if "generate_images" in spec else {}),
        **source,
    }
    return (
        StepSpec("lookup", "postnitro", paid=False, fields=lookup),
        StepSpec(
            "render", "postnitro", paid=True, fields=render, upstream=(Upstream(me, "lookup"),)
        ),
        StepSpec(
            "download", "postnitro", paid=False, fields={}, upstream=(Upstream(me, "render"),)
        ),
    )


_BUILDERS: Mapping[str, Callable[[Resource, Path], tuple[StepSpec, ...]]] = {
    "Media": _media,
    "Post": _post,
    "Carousel": _carousel,
}

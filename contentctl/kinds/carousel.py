"""Carousel: slides rendered by PostNitro (imported or AI-generated) as PNG or PDF, with a
template and a brand looked up first and the output files downloaded after."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.config import Prices
from contentctl.errors import ApiError, ContentctlError
from contentctl.kinds.kind import Content, Kind, completed_outputs
from contentctl.model import Diagnostic, JsonPath, Resource
from contentctl.plan.steps import StepSpec, Upstream
from contentctl.validate.semantic import url_problems

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner
    from contentctl.lockfile.records import ResourceRecord
    from contentctl.providers import Providers


REFERENCES = ((("brand",), frozenset({"brand"})),)


def steps(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
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


def estimate(step: StepSpec, resource: Resource, prices: Prices) -> float:
    spec = resource.spec
    if "slides" in spec:
        return prices.carousel_import_slide * len(spec["slides"])
    if "slide" in spec:
        return prices.carousel_import_slide
    if spec.get("post_type") == "IMAGE":
        return prices.carousel_ai_slide
    slides = spec.get("generate", {}).get("expected_slides", prices.carousel_ai_default_slides)
    return float(prices.carousel_ai_slide * slides)


async def read(providers: Providers, remote_id: str) -> dict[str, Any]:
    from contentctl.providers.postnitro import design_id, output_files

    pn = providers.require_postnitro()
    status = (await pn.status(remote_id))["embedPost"]["status"]
    if status != "COMPLETED":
        raise ContentctlError(
            f"{remote_id} is {status}, not COMPLETED", hint="import it once it has finished"
        )
    result = (await pn.output(remote_id)).get("result") or {}
    return {
        "design_id": design_id(result),
        "editor_url": result.get("editorUrl"),
        "name": result.get("name"),
        "type": result.get("type"),
        "files": output_files(result),
    }


async def drift(address: str, record: ResourceRecord, providers: Providers) -> AsyncIterator[str]:
    render = record.steps.get("render")
    if not (render and render.status == "completed" and render.remote_id):
        return
    try:
        await providers.require_postnitro().status(render.remote_id)
    except ApiError as exc:
        if exc.status != 404:
            raise
        yield f"carousel {render.remote_id} no longer exists in PostNitro"


def check(
    root: Path, resource: Resource, others: Mapping[str, Resource] | None
) -> Iterator[Diagnostic]:
    yield from _slides(resource)
    yield from url_problems(resource, _urls(resource.spec))


def _slides(resource: Resource) -> Iterator[Diagnostic]:
    slides = resource.spec.get("slides")
    if not isinstance(slides, list) or not slides:
        return
    where = resource.document.positions
    last = len(slides) - 1
    if isinstance(slides[last], dict) and slides[last].get("type") != "ending_slide":
        yield Diagnostic(
            where.of(("spec", "slides", last)),
            "the last slide must be the ending_slide",
            hint="move the ending_slide to the end of the list",
        )
    for i, slide in enumerate(slides[1:last], start=1):
        if isinstance(slide, dict) and slide.get("type") in ("starting_slide", "ending_slide"):
            yield Diagnostic(
                where.of(("spec", "slides", i, "type")),
                f"{slide['type']} must be the "
                f"{'first' if slide['type'] == 'starting_slide' else 'last'} slide",
            )


def _urls(spec: Mapping[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    for i, slide in enumerate(spec.get("slides") or []):
        for key in ("image", "background_image"):
            if isinstance(slide, dict) and key in slide:
                yield ("spec", "slides", i, key), slide[key]
    single = spec.get("slide") or {}
    for key in ("image", "background_image"):
        if key in single:
            yield ("spec", "slide", key), single[key]
    generate = spec.get("generate") or {}
    if generate.get("type") in ("article", "x"):
        yield ("spec", "generate", "context"), generate.get("context")


def content(resource: Resource, record: ResourceRecord | None, root: Path) -> Content:
    spec = resource.spec
    render = completed_outputs(record, "render")
    editor = render.get("editor_url")
    return Content(
        slides=tuple(str(f) for f in render.get("files", []) if isinstance(f, str)),
        files=tuple(
            f
            for f in completed_outputs(record, "download").get("files", [])
            if isinstance(f, Mapping)
        ),
        drafts=tuple(spec.get("slides") or ([spec["slide"]] if "slide" in spec else [])),
        editor_url=editor if isinstance(editor, str) else None,
    )


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.postnitro_download import Download
    from contentctl.apply.postnitro_lookup import Lookup
    from contentctl.apply.postnitro_render import Render

    return {"lookup": Lookup(), "render": Render(), "download": Download()}


KIND = Kind(
    name="Carousel",
    schema="carousel.schema.json",
    provider="postnitro",
    owning_step="render",
    steps=steps,
    runners=runners,
    read=read,
    content=content,
    references=REFERENCES,
    check=check,
    estimate=estimate,
    drift=drift,
)

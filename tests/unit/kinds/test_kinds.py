"""Each kind's module, as pure functions: its chain of steps, what each step sends, what it is
expected to cost; and the registry's promises to the stages that ask it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contentctl.config import Prices
from contentctl.kinds import KINDS, estimate, steps_for
from contentctl.kinds.kind import Deletes
from contentctl.model import Document, Positions, Resource
from contentctl.plan.steps import StepSpec, Upstream
from contentctl.validate.schema_files import schema_dir

PRICES = Prices()


def resource(kind: str, spec: dict[str, Any], name: str = "x") -> Resource:
    doc = Document("content/x.yaml", 0, {"spec": spec}, Positions("content/x.yaml"))
    return Resource(kind, name, spec, doc)


def chain(kind: str, spec: dict[str, Any], root: Path = Path(".")) -> tuple[StepSpec, ...]:
    return steps_for(resource(kind, spec), root)


def test_every_kind_has_its_schema_and_an_owning_step_its_runners_cover() -> None:
    for name, kind in KINDS.items():
        assert kind.name == name
        assert (schema_dir() / kind.schema).is_file()
        assert kind.owning_step in kind.runners()


def test_a_kind_deleted_with_its_manifest_has_a_runner_that_deletes() -> None:
    deleted = {n for n, k in KINDS.items() if k.deleted_through}

    assert deleted == {"Schedule", "CalendarEntry"}
    for name in deleted:
        assert isinstance(KINDS[name].runner(KINDS[name].deleted_through or ""), Deletes)


def test_a_free_step_costs_nothing_whatever_its_kind_estimates() -> None:
    post = resource("Post", {"post_types": ["x-post"], "captions": {"prompt": "hi"}})
    free = StepSpec("captions", "powerpost", paid=False, fields={})

    assert estimate(free, post, PRICES) == 0


def test_post_generates_captions_and_images_then_posts_and_publishes() -> None:
    spec = {
        "post_types": ["x-post"],
        "captions": {"prompt": "Launch", "research_mode": "deep", "media": ["media/a"]},
        "images": {"model": "gpt-image-1.5", "quantity": 2},
        "publish": True,
    }
    steps = {s.name: s for s in chain("Post", spec)}

    assert list(steps) == ["captions", "images", "post", "publish"]
    assert steps["captions"].fields["captions.research_mode"] == "deep"
    assert steps["captions"].upstream == (Upstream("media/a", "upload"),)
    assert steps["images"].fields == {
        "images.size": "square",
        "images.quantity": 2,
        "images.model": "gpt-image-1.5",
    }
    assert steps["images"].upstream == (Upstream("post/x", "captions"),)  # no prompt of its own
    assert steps["publish"].publishes and not steps["post"].publishes
    post = resource("Post", spec)
    costs = {name: estimate(step, post, PRICES) for name, step in steps.items()}
    # deep captions 8 + 1 per image they read; 2 images at 14; publish 1 + X surcharge 3
    assert costs == {"captions": 9, "images": 28, "post": 0, "publish": 4}


def test_post_media_come_from_the_step_of_their_kind_and_slides_from_carousels() -> None:
    spec = {
        "post_types": ["instagram-feed"],
        "captions": {"text": "Hello"},
        "images": {"media": ["media/photo", "video/clip", "carousel/deck"]},
    }
    steps = {s.name: s for s in chain("Post", spec)}

    assert list(steps) == ["slides", "post"]
    assert steps["slides"].upstream == (Upstream("carousel/deck", "render"),)
    assert steps["post"].upstream == (
        Upstream("post/x", "slides"),
        Upstream("media/photo", "upload"),
        Upstream("video/clip", "video"),
    )
    assert steps["post"].fields["media"] == [0, 1, 2]  # by position, never by address


@pytest.mark.parametrize(
    ("spec", "credits"),
    [
        ({"slides": [{}, {}, {}]}, 3),
        ({"slide": {}}, 1),
        ({"post_type": "IMAGE", "generate": {"topic": "t"}}, 2),
        ({"generate": {"topic": "t"}}, 16),
        ({"generate": {"topic": "t", "expected_slides": 5}}, 10),
    ],
)
def test_carousel_render_is_estimated_by_its_slides(spec: dict[str, Any], credits: int) -> None:
    steps = chain("Carousel", {"template_id": "t1", "brand_id": "b1", **spec})
    render = next(s for s in steps if s.name == "render")

    assert [s.name for s in steps] == ["lookup", "render", "download"]
    assert "expected_slides" not in str(render.fields)  # an estimate input, never sent
    assert estimate(render, resource("Carousel", spec), PRICES) == credits


def test_carousel_with_a_managed_brand_waits_for_it_by_identity() -> None:
    lookup = chain("Carousel", {"template_id": "t1", "brand": "brand/acme", "slide": {}})[0]

    assert lookup.fields["brand"] == {"managed": True}
    assert lookup.upstream == (Upstream("brand/acme", "brand"),)


def test_video_sends_its_defaults_and_costs_by_the_second() -> None:
    spec = {"prompt": "waves", "duration": 5, "audio": True, "source_image": "media/still"}
    (video,) = chain("Video", spec)

    assert video.fields == {
        "prompt": "waves",
        "model": "kling-3.0-pro",
        "size": "landscape",
        "duration": 5,
        "audio": True,
    }
    assert video.upstream == (Upstream("media/still", "upload"),)
    assert estimate(video, resource("Video", spec), PRICES) == (6 + 1) * 5


def test_brand_and_calendar_entries_are_free_and_updated_in_place() -> None:
    (brand,) = chain("Brand", {"name": "Acme", "handle": "@acme"})
    (entry,) = chain("CalendarEntry", {"title": "Launch", "date": "2027-01-05"})

    assert brand.in_place and entry.in_place and not brand.paid and not entry.paid
    assert brand.fields["show_name"] is True  # the schema's default is sent, and hashed


def test_media_hashes_the_file_it_uploads_beside_its_manifest(tmp_path: Path) -> None:
    image = tmp_path / "content" / "a.png"  # the manifest is content/x.yaml
    image.parent.mkdir()
    image.write_bytes(b"one")
    first = chain("Media", {"file": "a.png"}, tmp_path)[0].fields
    image.write_bytes(b"two")
    second = chain("Media", {"file": "a.png"}, tmp_path)[0].fields

    assert first["file"].startswith("sha256:") and second["file"] != first["file"]
    assert first["type"] == "image" and first["file_name"] == "a.png"


def test_schedule_publishes_only_when_scheduled_to_accounts() -> None:
    base = {"carousel": "carousel/deck", "at": "2027-01-05T09:00:00Z", "captions": {}}
    draft = chain("Schedule", {**base, "accounts": {"linkedin": "acme"}})
    live = chain("Schedule", {**base, "status": "SCHEDULED", "accounts": {"linkedin": "acme"}})
    no_accounts = chain("Schedule", {**base, "status": "SCHEDULED"})

    assert [s.name for s in draft] == ["accounts", "schedule"]
    assert not draft[-1].publishes and live[-1].publishes and not no_accounts[-1].publishes
    assert live[-1].fields["linkedin"] == {"post_type": "carousel"}
    assert live[-1].upstream == (
        Upstream("carousel/deck", "render"),
        Upstream("schedule/x", "accounts"),
    )


def test_a_media_resource_names_the_file_it_sends_and_a_post_none(tmp_path: Path) -> None:
    media = resource("Media", {"file": "../assets/a.png"})

    assert KINDS["Media"].files(media, tmp_path) == [tmp_path / "content/../assets/a.png"]
    assert KINDS["Post"].files(resource("Post", {"post_types": []}), tmp_path) == []

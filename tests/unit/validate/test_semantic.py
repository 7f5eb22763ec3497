"""What the checks a schema cannot express share, as pure functions: media files and types,
schedule times and zones, a Post's references, URLs the APIs fetch."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from contentctl.model import Document, Positions, Resource
from contentctl.validate.semantic import (
    media_path,
    media_type,
    post_carousels,
    post_media,
    post_references,
    schedule_time,
    url_problems,
    utc_text,
)


def resource(kind: str, spec: dict[str, Any], file: str = "content/launch/x.yaml") -> Resource:
    return Resource(kind, "x", spec, Document(file, 0, {"spec": spec}, Positions(file)))


def test_a_media_file_is_found_beside_its_manifest() -> None:
    found = media_path(Path("/repo"), resource("Media", {"file": "../assets/hero.png"}))

    assert found == Path("/repo/content/launch/../assets/hero.png")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"file": "a.PNG"}, "image"),
        ({"file": "clip.MP4"}, "video"),
        ({"file": "clip.webm"}, "video"),
        ({"file": "clip.mp4", "type": "image"}, "image"),  # what the manifest says wins
    ],
)
def test_a_media_type_comes_from_the_manifest_or_the_extension(
    spec: dict[str, Any], expected: str
) -> None:
    assert media_type(resource("Media", spec)) == expected


def test_a_local_time_takes_its_zone_and_comes_back_in_utc() -> None:
    moment = schedule_time({"at": "2026-07-01T09:00:00", "time_zone": "Europe/Paris"})

    assert moment == datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc)
    assert utc_text(moment) == "2026-07-01T07:00:00.000Z"


def test_a_time_with_an_offset_or_a_z_needs_no_zone() -> None:
    assert schedule_time({"at": "2026-07-01T09:00:00Z"}).hour == 9
    assert schedule_time({"at": "2026-07-01T09:00:00-04:00"}).hour == 13


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"at": "2026-07-01T09:00:00"}, "has no time zone"),
        ({"at": "2026-07-01T09:00:00Z", "time_zone": "UTC"}, "has an offset and a time_zone"),
        ({"at": "2026-07-01T09:00:00", "time_zone": "Mars/Olympus"}, "not a known time zone"),
    ],
)
def test_an_ambiguous_or_unknown_time_is_refused_with_the_reason(
    spec: dict[str, Any], says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        schedule_time(spec)


def test_a_posts_media_are_listed_with_their_paths_and_each_reference_once() -> None:
    spec = {
        "images": {"media": ["media/a", "carousel/c"]},
        "items": [{"media": ["media/a"]}, "not an item", {"media": ["carousel/d"]}],
    }

    assert post_media(spec) == [
        (("spec", "images", "media", 0), "media/a"),
        (("spec", "images", "media", 1), "carousel/c"),
        (("spec", "items", 0, "media", 0), "media/a"),
        (("spec", "items", 2, "media", 0), "carousel/d"),
    ]
    assert post_references(spec) == ["media/a", "carousel/c", "carousel/d"]
    assert post_carousels(spec) == ["carousel/c", "carousel/d"]


def test_urls_the_apis_fetch_must_be_public_https_and_are_reported_where_written() -> None:
    brand = resource("Brand", {})
    fields = iter(
        [
            (("spec", "image"), "https://cdn.example.com/a.png"),
            (("spec", "logo"), "http://cdn.example.com/a.png"),
            (("spec", "icon"), "https://169.254.169.254/latest"),
        ]
    )

    problems = list(url_problems(brand, fields))

    assert [p.json_path for p in problems] == [("spec", "logo"), ("spec", "icon")]
    assert all(p.hint and "public https" in p.hint for p in problems)

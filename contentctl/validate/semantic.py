"""What the checks a schema cannot express share: media files, schedule times, a Post's
references, URLs the APIs fetch. Each kind's own checks are in its module of kinds/."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from contentctl.model import Diagnostic, JsonPath, Resource
from contentctl.validate import urls

IMAGE_EXTENSIONS = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
VIDEO_EXTENSIONS = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm"}


def media_path(root: Path, resource: Resource) -> Path:
    """The file a Media manifest names, relative to the manifest's folder."""
    manifest_dir = PurePosixPath(resource.source_file).parent
    return root / Path(str(manifest_dir / str(resource.spec["file"])))


def media_type(resource: Resource) -> str:
    explicit = resource.spec.get("type")
    if isinstance(explicit, str):
        return explicit
    suffix = PurePosixPath(str(resource.spec["file"])).suffix.lower()
    return "video" if suffix in VIDEO_EXTENSIONS else "image"


def schedule_time(spec: Mapping[str, Any]) -> datetime:
    """A Schedule's ``at`` as an aware UTC datetime (``time_zone`` gives local times a zone).

    Raises ValueError for a time with neither an offset nor a zone, or an unknown zone.
    """
    moment = datetime.fromisoformat(str(spec["at"]).replace("Z", "+00:00"))
    zone_name = spec.get("time_zone")
    if moment.tzinfo is None:
        if not zone_name:
            raise ValueError("has no time zone")
        try:
            zone = zoneinfo.ZoneInfo(str(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"time_zone {zone_name!r} is not a known time zone") from exc
        moment = moment.replace(tzinfo=zone)
    elif zone_name:
        raise ValueError("has an offset and a time_zone")
    return moment.astimezone(timezone.utc)


def utc_text(moment: datetime) -> str:
    """How PostNitro wants times: UTC with a trailing Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def post_media(spec: Mapping[str, Any]) -> list[tuple[JsonPath, str]]:
    """Every media reference of a Post (images.media, then items' media), with its path."""
    found: list[tuple[JsonPath, str]] = []
    for i, ref in enumerate((spec.get("images") or {}).get("media", [])):
        found.append((("spec", "images", "media", i), ref))
    for i, item in enumerate(spec.get("items", [])):
        for j, ref in enumerate(item.get("media", []) if isinstance(item, dict) else []):
            found.append((("spec", "items", i, "media", j), ref))
    return found


def post_references(spec: Mapping[str, Any]) -> list[str]:
    """A Post's media references, each once, in the order written."""
    return list(dict.fromkeys(ref for _, ref in post_media(spec)))


def post_carousels(spec: Mapping[str, Any]) -> list[str]:
    """The carousels whose slides a Post uses, in the order its slides step uploads them."""
    return [r for r in post_references(spec) if r.startswith("carousel/")]


def url_problems(
    resource: Resource, fields: Iterator[tuple[JsonPath, Any]]
) -> Iterator[Diagnostic]:
    """URLs the APIs will fetch: https, and never an internal address."""
    for path, url in fields:
        why = urls.problem(str(url))
        if why:
            yield Diagnostic(
                resource.document.positions.of(path),
                f"{url!r} {why}",
                json_path=path,
                hint="only public https URLs: the API's servers fetch them",
            )

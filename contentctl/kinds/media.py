"""Media: a local image or video file uploaded to PowerPost's media library."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.kinds.kind import Content, Kind
from contentctl.model import Diagnostic, Resource
from contentctl.plan import media_hashes
from contentctl.plan.steps import StepSpec
from contentctl.validate.semantic import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, media_path, media_type

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner
    from contentctl.lockfile.records import ResourceRecord
    from contentctl.providers import Providers


MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 500 * 1024 * 1024


def steps(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    path = media_path(root, resource)
    try:
        content = media_hashes.for_project(root).digest(path)
    except OSError:
        content = "missing"
    fields = {"file": content, "type": media_type(resource), "file_name": path.name}
    return (StepSpec("upload", "powerpost", paid=False, fields=fields),)


async def read(providers: Providers, remote_id: str) -> dict[str, Any]:
    return {"media_id": remote_id}  # PowerPost cannot read media back: trust the id


def check(
    root: Path, resource: Resource, others: Mapping[str, Resource] | None
) -> Iterator[Diagnostic]:
    yield from _file(root, resource)


def _file(root: Path, resource: Resource) -> Iterator[Diagnostic]:
    at = resource.document.positions.of(("spec", "file"))
    path = media_path(root, resource)
    try:
        resolved = path.resolve()
        resolved.relative_to(root.resolve())
    except ValueError:
        yield Diagnostic(
            at,
            f"{resource.spec['file']} is outside the project",
            hint="keep media files inside the project, e.g. in assets/",
        )
        return
    if resolved.exists() and not resolved.is_file():
        yield Diagnostic(
            at,
            f"media file {resource.spec['file']} is not a regular file "
            "(a folder, a pipe or a device)",
            hint="point at an image or video file",
        )
        return
    if not resolved.is_file():
        yield Diagnostic(
            at,
            f"media file {resource.spec['file']} does not exist "
            f"(looked for {path.relative_to(root).as_posix()})",
            hint="paths are relative to the manifest's folder",
        )
        return
    suffix = resolved.suffix.lower()
    kind = media_type(resource)
    allowed = IMAGE_EXTENSIONS if kind == "image" else VIDEO_EXTENSIONS
    if suffix not in allowed:
        yield Diagnostic(at, f"{kind} files must be {', '.join(sorted(allowed))}; got {suffix}")
        return
    if not _looks_like(resolved, suffix):
        yield Diagnostic(
            at,
            f"{resource.spec['file']} is not a {suffix[1:].upper()} file "
            "(its first bytes say otherwise)",
            hint="export it again in the format its name says",
        )
        return
    limit = MAX_IMAGE_BYTES if kind == "image" else MAX_VIDEO_BYTES
    size = resolved.stat().st_size
    if size > limit:
        yield Diagnostic(
            at,
            f"{resource.spec['file']} is {size / 1024 / 1024:.1f} MB; "
            f"PowerPost accepts {kind}s up to {limit // 1024 // 1024} MB",
        )


def _looks_like(path: Path, suffix: str) -> bool:
    """The file's magic bytes match its extension (a renamed file would be refused remotely)."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if suffix == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if suffix in (".mp4", ".mov"):
        return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")
    if suffix == ".webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    return True


def content(resource: Resource, record: ResourceRecord | None, root: Path) -> Content:
    """Shown where a post uses it: its file."""
    return Content(pictures=(media_path(root, resource),), standalone=False)


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.powerpost_media import MediaUpload

    return {"upload": MediaUpload()}


KIND = Kind(
    name="Media",
    schema="media.schema.json",
    provider="powerpost",
    owning_step="upload",
    steps=steps,
    runners=runners,
    read=read,
    content=content,
    files=lambda resource, root: [media_path(root, resource)] if "file" in resource.spec else [],
    check=check,
    media_step="upload",
)

"""Media: a local image or video file uploaded to PowerPost's media library."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.kinds.kind import Kind
from contentctl.model import Resource
from contentctl.plan.steps import StepSpec
from contentctl.validate.semantic import media_path, media_type

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner
    from contentctl.providers import Providers


def steps(resource: Resource, root: Path) -> tuple[StepSpec, ...]:
    path = media_path(root, resource)
    try:
        content = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        content = "missing"
    fields = {"file": content, "type": media_type(resource), "file_name": path.name}
    return (StepSpec("upload", "powerpost", paid=False, fields=fields),)


async def read(providers: Providers, remote_id: str) -> dict[str, Any]:
    return {"media_id": remote_id}  # PowerPost cannot read media back: trust the id


@cache
def runners() -> Mapping[str, Runner]:
    from contentctl.apply.powerpost_steps import MediaUpload

    return {"upload": MediaUpload()}


KIND = Kind(
    name="Media",
    schema="media.schema.json",
    provider="powerpost",
    owning_step="upload",
    steps=steps,
    runners=runners,
    read=read,
    media_step="upload",
)

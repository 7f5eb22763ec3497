"""Which runner does each step of each kind."""

from __future__ import annotations

from collections.abc import Mapping

from contentctl.apply.postnitro_steps import Download, Lookup, Render
from contentctl.apply.powerpost_steps import Captions, CreatePost, Images, MediaUpload, Publish
from contentctl.apply.runners import Runner

RUNNERS: Mapping[tuple[str, str], Runner] = {
    ("Media", "upload"): MediaUpload(),
    ("Post", "captions"): Captions(),
    ("Post", "images"): Images(),
    ("Post", "post"): CreatePost(),
    ("Post", "publish"): Publish(),
    ("Carousel", "lookup"): Lookup(),
    ("Carousel", "render"): Render(),
    ("Carousel", "download"): Download(),
}
ASYNC_STEPS = {
    ("Post", "captions"),
    ("Post", "images"),
    ("Post", "publish"),
    ("Carousel", "render"),
}

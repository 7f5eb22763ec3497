"""Which runner does each step of each kind, and how each deletable kind is deleted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from contentctl.apply.postnitro_schedule import Accounts, Schedule
from contentctl.apply.postnitro_steps import Brand, Download, Lookup, Render
from contentctl.apply.powerpost_steps import (
    CalendarEntry,
    Captions,
    CarouselSlides,
    CreatePost,
    Images,
    MediaUpload,
    Publish,
    Video,
)
from contentctl.apply.runners import Runner
from contentctl.providers import Providers

RUNNERS: Mapping[tuple[str, str], Runner] = {
    ("Media", "upload"): MediaUpload(),
    ("Post", "slides"): CarouselSlides(),
    ("Post", "captions"): Captions(),
    ("Post", "images"): Images(),
    ("Post", "post"): CreatePost(),
    ("Post", "publish"): Publish(),
    ("Carousel", "lookup"): Lookup(),
    ("Carousel", "render"): Render(),
    ("Carousel", "download"): Download(),
    ("Video", "video"): Video(),
    ("Brand", "brand"): Brand(),
    ("Schedule", "accounts"): Accounts(),
    ("Schedule", "schedule"): Schedule(),
    ("CalendarEntry", "entry"): CalendarEntry(),
}
# Deletes a kind's remote object by id; answers True when it was already gone.
DELETERS: Mapping[str, Callable[[Providers, str], Awaitable[bool]]] = {
    "Schedule": Schedule().delete,
    "CalendarEntry": CalendarEntry().delete,
}

"""The sandbox as one ASGI app: PowerPost under /powerpost/api/v1 (and /api/v1, where its
root-relative status_url values point), PostNitro under /postnitro, and the artifact storage
both hand out URLs to under /files."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route

from contentctl.sandbox import (
    images,
    postnitro,
    postnitro_accounts,
    postnitro_brands,
    postnitro_jobs,
    postnitro_results,
    postnitro_schedules,
    powerpost,
    powerpost_captions,
    powerpost_images,
    powerpost_media,
    powerpost_planning,
    powerpost_posts,
)
from contentctl.sandbox.endpoints import environ
from contentctl.sandbox.settings import SandboxSettings
from contentctl.sandbox.state import SandboxState


def _file(state: SandboxState, content: bytes, media_type: str) -> Response:
    """A stored file; with the slow_files fault, a byte at a time, slowly."""
    delay = state.settings.faults.slow_files
    if delay <= 0:
        return Response(content, media_type=media_type)

    async def drip() -> AsyncIterator[bytes]:
        for byte in content:
            yield bytes([byte])
            await asyncio.sleep(delay)

    return StreamingResponse(drip(), media_type=media_type)


def _files_routes(state: SandboxState) -> list[Route]:
    async def powerpost_file(request: Request) -> Response:
        name = request.path_params["name"]
        media_id = name.split(".", 1)[0]
        media = state.powerpost["media"].get(media_id)
        state.log(
            {
                "provider": "files",
                "method": "GET",
                "path": request.url.path,
                "status": 200 if media else 404,
            }
        )
        if media is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        if media.get("generated"):
            return _file(
                state,
                images.generated_image(media["prompt"], media["size"], media["index"]),
                "image/png",
            )
        stored = state.files_dir / "powerpost" / media_id
        return _file(state, stored.read_bytes(), media.get("mime_type", "image/png"))

    async def postnitro_file(request: Request) -> Response:
        post = state.postnitro["posts"].get(request.path_params["post_id"])
        name = request.path_params["name"]
        found = post is not None and (
            name == "carousel.pdf" or (name.startswith("slide_") and name.endswith(".png"))
        )
        state.log(
            {
                "provider": "files",
                "method": "GET",
                "path": request.url.path,
                "status": 200 if found else 404,
            }
        )
        if not found or post is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        template: dict[str, Any] = next(
            (t for t in state.postnitro["templates"] if t["id"] == post["templateId"]), {}
        )
        brand: dict[str, Any] = next(
            (b for b in state.postnitro["brands"] if b["id"] == post["brandId"]), {}
        )
        rendered = images.slide_images(post["slides"], template, brand)
        if name == "carousel.pdf":
            return _file(state, images.pdf(rendered), "application/pdf")
        index = int(name[len("slide_") : -len(".png")])
        if not 0 <= index < len(rendered):
            return JSONResponse({"error": "not found"}, status_code=404)
        return _file(state, images.png(rendered[index]), "image/png")

    return [
        Route("/files/powerpost/{name}", powerpost_file),
        Route("/files/postnitro/{post_id}/{name}", postnitro_file),
    ]


def powerpost_routes(state: SandboxState) -> list[Route]:
    return [
        *powerpost.routes(state),
        *powerpost_media.routes(state),
        *powerpost_captions.routes(state),
        *powerpost_images.routes(state),
        *powerpost_posts.routes(state),
        *powerpost_planning.routes(state),
    ]


def build_app(state: SandboxState) -> Starlette:
    return Starlette(
        routes=[
            Mount(powerpost.PREFIX, routes=powerpost_routes(state)),
            Mount(powerpost.ROOT_RELATIVE, routes=powerpost_routes(state)),
            Mount(
                postnitro.PREFIX,
                routes=[
                    *postnitro.routes(state),
                    *postnitro_jobs.routes(state),
                    *postnitro_results.routes(state),
                    *postnitro_brands.routes(state),
                    *postnitro_accounts.routes(state),
                    *postnitro_schedules.routes(state),
                ],
            ),
            *_files_routes(state),
        ]
    )


class _LostAnswers(httpx.AsyncBaseTransport):
    """The ambiguous failure: the API processed a POST, but its answer never arrived."""

    def __init__(self, inner: httpx.AsyncBaseTransport, state: SandboxState) -> None:
        self.inner = inner
        self.state = state

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and self.state.chance(self.state.settings.faults.timeout):
            await response.aclose()
            raise httpx.ReadTimeout("answer lost (sandbox fault injection)", request=request)
        return response


class Sandbox:
    """Both emulated APIs with their state; reachable in-process or served over HTTP."""

    def __init__(
        self,
        directory: Path,
        settings: SandboxSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = SandboxState(directory, settings, clock)
        self.app = build_app(self.state)

    def transport(self) -> httpx.AsyncBaseTransport:
        transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=self.app)
        if self.state.settings.faults.timeout > 0:
            transport = _LostAnswers(transport, self.state)
        return transport

    environ = staticmethod(environ)  # credentials and base URLs that route to it

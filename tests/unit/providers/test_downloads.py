"""Downloads of the files the APIs hand out URLs to: each hop checked, never an internal
host, a total deadline and a minimum rate, whatever the storage host does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from contentctl.errors import ApiError
from contentctl.providers.downloads import Downloads

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def _fetch(
    handler: Callable[[httpx.Request], httpx.Response], source: str, **options: object
) -> tuple[bytes, str]:
    async def run() -> tuple[bytes, str]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await Downloads(client, **options).fetch(source)  # type: ignore[arg-type]

    return asyncio.run(run())


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/admin",
        "https://127.0.0.1./",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/",
        "https://%EF%BC%91%EF%BC%92%EF%BC%97.%EF%BC%90.%EF%BC%90.%EF%BC%91/",  # fullwidth
        "https://intranet/page",
    ],
)
def test_a_redirect_to_an_internal_host_is_refused_before_it_is_fetched(target: str) -> None:
    fetched: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        if request.url.host == "storage.example":
            return httpx.Response(302, headers={"location": target})
        return httpx.Response(200, headers={"content-type": "image/png"}, content=PNG)

    with pytest.raises(ApiError, match=r"refused \(redirected to .*\): the URL"):
        _fetch(handler, "https://storage.example/slide.png")
    assert fetched == ["https://storage.example/slide.png"]  # the internal host never asked


def test_a_redirect_to_a_public_host_is_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "storage.example":
            return httpx.Response(307, headers={"location": "https://cdn.example.net/s.png"})
        return httpx.Response(200, headers={"content-type": "image/png"}, content=PNG)

    assert _fetch(handler, "https://storage.example/slide.png") == (PNG, "image/png")


def test_endless_redirects_end() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "https://storage.example/again"})

    with pytest.raises(ApiError, match="redirected more than 5 times"):
        _fetch(handler, "https://storage.example/slide.png")


def test_only_the_configured_apis_origin_is_trusted_beyond_public_https() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "image/png"}, content=PNG)

    api = "http://127.0.0.1:8765/postnitro"
    served = _fetch(handler, "http://127.0.0.1:8765/files/x.png", trusted=[api])
    assert served == (PNG, "image/png")
    with pytest.raises(ApiError, match="must be an https URL"):
        _fetch(handler, "http://127.0.0.1:9999/files/x.png", trusted=[api])


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_slow_drip_ends_at_the_minimum_rate() -> None:
    """One byte every five seconds: stopped within the first window, never waited out."""
    clock = Clock()
    sent: list[int] = []

    class Drip(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for byte in PNG:
                clock.now += 5  # the storage host takes five seconds per byte
                sent.append(byte)
                yield bytes([byte])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "image/png"}, stream=Drip())

    with pytest.raises(ApiError, match="came slower than 10 KB/s") as caught:
        _fetch(handler, "https://storage.example/slide.png", clock=clock)
    assert len(sent) <= 3 and clock.now <= 15
    assert "run apply again" in (caught.value.hint or "")


def test_a_download_has_a_total_deadline() -> None:
    async def run() -> None:
        release = asyncio.Event()

        class Stalled(httpx.AsyncByteStream):
            async def __aiter__(self) -> AsyncIterator[bytes]:
                await release.wait()  # never set: the host never sends a byte
                yield b""

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers={"content-type": "image/png"}, stream=Stalled())

        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            await Downloads(client, deadline=0.05).fetch("https://storage.example/slide.png")

    with pytest.raises(ApiError, match=r"took longer than 0\.05 s"):
        asyncio.run(run())

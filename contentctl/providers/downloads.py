"""Files the APIs hand out URLs to (carousel slides and PDFs, generated images).

The URLs come from API answers, so they are checked like any untrusted URL: public https
(contentctl.validate.urls), or the origin of an API contentctl is configured to talk to
(the sandbox serves its files there). Redirects are followed by hand, each hop checked the
same way. A download has a size limit, a type check, a total deadline and a minimum rate,
so a server that drips a byte every few seconds cannot hold an apply; API keys are never
sent to storage hosts.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable, Collection
from urllib.parse import urljoin, urlsplit

import httpx

from contentctl.errors import ApiError
from contentctl.validate import urls

MAX_BYTES = 100 * 1024 * 1024
TYPES = ("image/png", "image/jpeg", "image/webp", "application/pdf")
MAX_REDIRECTS = 5
DEADLINE = 300.0  # seconds for one file, redirects included
MIN_RATE = 10 * 1024  # bytes a second, measured over each RATE_WINDOW
RATE_WINDOW = 10.0

Clock = Callable[[], float]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Downloads:
    """Fetches output files with every limit; ``trusted`` are the APIs' own origins."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        trusted: Collection[str] = (),
        *,
        deadline: float = DEADLINE,
        min_rate: float = MIN_RATE,
        clock: Clock = time.monotonic,
    ) -> None:
        self.client = client
        self.trusted = {origin(t) for t in trusted}
        self.deadline = deadline
        self.min_rate = min_rate
        self.clock = clock

    def refused(self, url: str) -> str | None:
        """Why ``url`` may not be fetched, or None."""
        if origin(url) in self.trusted:
            return None
        return urls.problem(url)

    async def fetch(self, source: str) -> tuple[bytes, str]:
        """An output file: a URL fetched with every limit, or inline base64."""
        if not source.startswith(("http://", "https://")):
            content = base64.b64decode(source)  # older API versions sent the file inline
            return content, "application/pdf" if content.startswith(b"%PDF") else "image/png"
        try:
            return await asyncio.wait_for(self._follow(source), self.deadline)
        except asyncio.TimeoutError:
            raise self._error(source, f"took longer than {self.deadline:g} s") from None
        except httpx.TransportError as exc:
            raise self._error(source, f"failed: {type(exc).__name__}") from exc

    async def _follow(self, source: str) -> tuple[bytes, str]:
        url = source
        for _hop in range(MAX_REDIRECTS + 1):
            why = self.refused(url)
            if why is not None:
                where = "" if url == source else f" (redirected to {url})"
                raise self._error(source, f"refused{where}: the URL {why}")
            async with self.client.stream("GET", url) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                return await self._read(source, response)
        raise self._error(source, f"was redirected more than {MAX_REDIRECTS} times")

    async def _read(self, source: str, response: httpx.Response) -> tuple[bytes, str]:
        if response.status_code != 200:
            raise ApiError(
                f"download of {source} failed",
                provider="postnitro",
                status=response.status_code,
                hint="output URLs may have expired; run apply with --replace",
            )
        mime = response.headers.get("content-type", "").split(";")[0].strip()
        if mime not in TYPES:
            raise self._error(source, f"is {mime or 'untyped'}, not an image or PDF")
        declared = int(response.headers.get("content-length") or 0)
        if declared > MAX_BYTES:
            raise self._error(source, f"is {declared} bytes; the limit is {MAX_BYTES}")
        chunks = []
        total = 0
        window_start, window_bytes = self.clock(), 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            window_bytes += len(chunk)
            if total > MAX_BYTES:
                raise self._error(source, f"exceeds {MAX_BYTES} bytes")
            chunks.append(chunk)
            elapsed = self.clock() - window_start
            if elapsed >= RATE_WINDOW:
                if window_bytes / elapsed < self.min_rate:
                    raise self._error(
                        source,
                        f"came slower than {self.min_rate / 1024:g} KB/s "
                        f"({window_bytes} bytes in {elapsed:.0f} s)",
                    )
                window_start, window_bytes = self.clock(), 0
        return b"".join(chunks), mime

    @staticmethod
    def _error(source: str, what: str) -> ApiError:
        return ApiError(
            f"download of {source} {what}",
            provider="postnitro",
            hint="run apply again (only the download runs again); if it persists, the "
            "storage host is at fault",
        )

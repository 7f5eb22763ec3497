"""One provider's HTTP access, in layers, each wrapping the one below as httpx's
``Client.send`` wraps ``_send_handling_redirects`` and ``_send_single_request``:

=========================  ==============================================================
``request``                the request, built once: URL, headers, whom it tells if it creates
``_send_retrying``         sent again while that is safe, within one time budget (retries)
``_send_checked``          a failure read: the error that ends it, or a Retry (errors)
``_send_paced``            a spent rate-limit window waited out first (pacing)
``send_guarded``           "submitting" recorded around the bytes on the wire (send_guard)
``_send_single_request``   one exchange; the keys it sent redacted from its answer
=========================  ==============================================================
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from contentctl.config import Retries
from contentctl.errors import ApiError
from contentctl.providers.errors import (
    Answer,
    ErrorMapper,
    cannot_reach,
    gateway_answer,
    no_answer,
    transport_failed,
)
from contentctl.providers.pacing import Pacing
from contentctl.providers.redaction import redacted, secrets_in
from contentctl.providers.retries import Retry, RetryBudget, retrying
from contentctl.providers.send_guard import NOT_SENT, SEND_GUARD, SendGuard, send_guarded
from contentctl.providers.timing import Clock, Sleep

log = logging.getLogger("contentctl.http")

USER_AGENT = "contentctl"
# Methods whose repetition changes nothing more (contentctl's PATCH bodies set fields).
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Call:
    """One request, as every send of it goes out."""

    method: str
    path: str
    url: str
    headers: dict[str, str]
    content: dict[str, Any]  # json, params, files, data
    guard: SendGuard | None  # told about a creating request's bytes on the wire

    @property
    def idempotent(self) -> bool:
        return self.method in IDEMPOTENT

    @property
    def what(self) -> str:
        return f"{self.method} {self.path}"


class Http:
    """One provider's HTTP access: base URL, auth headers, retries, pacing, error mapping."""

    def __init__(
        self,
        provider: str,
        client: httpx.AsyncClient,
        base_url: str,
        headers: Mapping[str, str],
        map_error: ErrorMapper,
        *,
        retry: Retries | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.provider = provider
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers)
        self.map_error = map_error
        self.retry = retry or Retries()
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self.pacing = Pacing(provider, self.retry, clock, sleep)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        files: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        omit_headers: tuple[str, ...] = (),
    ) -> httpx.Response:
        """Send one request; returns a 2xx response or raises :class:`ApiError`."""
        sent = {
            k: v for k, v in {**self.headers, **(headers or {})}.items() if k not in omit_headers
        }
        sent.setdefault("user-agent", USER_AGENT)
        content = {"json": json, "params": params, "files": files, "data": data}
        guard = None if method in IDEMPOTENT else SEND_GUARD.get()
        call = Call(method, path, self.base_url + path, sent, content, guard)
        return await self._send_retrying(call)

    async def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(
                f"{method} {path} answered with something that is not JSON",
                provider=self.provider,
                status=response.status_code,
            ) from exc

    async def _send_retrying(self, call: Call) -> httpx.Response:
        budget = RetryBudget(self.retry, self.clock, self.rng)
        return await retrying(
            lambda: self._send_checked(call), budget, self.sleep, self.provider, call.what
        )

    async def _send_checked(self, call: Call) -> httpx.Response:
        """A 2xx answer; otherwise the error that ends the request, or :class:`Retry`."""
        try:
            answer = await self._send_paced(call)
        except NOT_SENT as exc:  # nothing reached the server: safe whatever the method
            raise Retry(cannot_reach(self.provider, self.base_url, exc)) from exc
        except httpx.TransportError as exc:
            if not call.idempotent:
                raise no_answer(self.provider, call.what, exc) from exc
            raise Retry(transport_failed(self.provider, call.what, exc)) from exc
        error, status = answer.error, answer.response.status_code
        if error is None:
            return answer.response
        if answer.from_gateway and not call.idempotent:
            raise gateway_answer(self.provider, call.what, status, error)
        if status == 429:
            raise Retry(error, *self.pacing.rate_limit_wait(answer.response, error))
        if status >= 500:
            raise Retry(error)
        raise error

    async def _send_paced(self, call: Call) -> Answer:
        await self.pacing.wait()
        answer = await send_guarded(call.guard, lambda: self._send_single_request(call))
        self.pacing.note(answer.response)
        return answer

    async def _send_single_request(self, call: Call) -> Answer:
        started = self.clock()
        response = await self.client.request(
            call.method, call.url, headers=call.headers, **call.content
        )
        response = redacted(response, secrets_in(call.headers))
        elapsed = (self.clock() - started) * 1000
        log.debug("%s %s -> %s (%.0f ms)", self.provider, call.what, response.status_code, elapsed)
        return Answer(response, None if response.is_success else self.map_error(response))

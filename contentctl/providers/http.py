"""What both API clients share: requests with safe retries, rate-limit pacing, polling.

Retry rules, because every paid call costs the user money:
- 429, and any other 4xx: the API refused the request; nothing happened. A 429 is sent
  again after ``retryAfter``.
- Connection never established: nothing was sent, safe to retry.
- A 5xx carrying the API's own error envelope is the API saying "failed, retry later".
- Anything else after a POST went out (a timeout, a dropped connection, a gateway's 502 or
  504 without the envelope) is ambiguous: the job may exist. Never re-sent; raised as
  :class:`PossiblySubmittedError` so the caller can reconcile.

A :class:`SendGuard` (set by the caller in :data:`SEND_GUARD`) hears about every creating
request: just before its bytes go out, and what became of it. The executor records a step
as "submitting" there and only there, so the uncertain window is one network round trip,
never the waits around it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

import httpx

from contentctl.config import Polling, Retries
from contentctl.errors import ApiError, PollTimeout, PossiblySubmittedError
from contentctl.secrets import redact

log = logging.getLogger("contentctl.http")

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
ErrorMapper = Callable[[httpx.Response], ApiError]

USER_AGENT = "contentctl"
# Headers whose values are secrets: an answer that echoes one has it redacted.
SECRET_HEADERS = frozenset({"x-api-key", "embed-api-key", "authorization", "x-workspace-id"})
# Methods whose repetition changes nothing more (contentctl's PATCH bodies set fields).
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})


class SendGuard(Protocol):
    """Told about each creating (non-idempotent) request of the current task."""

    async def sending(self) -> None:
        """The request's bytes are about to go out. May raise to stop it from being sent."""

    def refused(self) -> None:
        """The API definitely did not act on it (or it never left)."""

    def landed(self) -> None:
        """The API accepted it."""

    def unknown(self) -> None:
        """It went out and no usable answer came back: it may have been acted on."""


SEND_GUARD: contextvars.ContextVar[SendGuard | None] = contextvars.ContextVar(
    "contentctl_send_guard", default=None
)


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
        self._paused_until = 0.0

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
        url = self.base_url + path
        sent_headers = {
            k: v for k, v in {**self.headers, **(headers or {})}.items() if k not in omit_headers
        }
        sent_headers.setdefault("user-agent", USER_AGENT)
        secrets = [v for k, v in sent_headers.items() if k.lower() in SECRET_HEADERS]
        idempotent = method in IDEMPOTENT
        guard = None if idempotent else SEND_GUARD.get()
        first = self.clock()
        attempt = 0

        def may_retry(wait: float) -> bool:
            within = self.clock() - first + wait <= self.retry.give_up_after
            return attempt < self.retry.attempts and within

        while True:
            attempt += 1
            await self._respect_pause()
            if guard is not None:
                await guard.sending()
            started = self.clock()
            try:
                response = await self.client.request(
                    method,
                    url,
                    json=json,
                    params=params,
                    files=files,
                    data=data,
                    headers=sent_headers,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Nothing reached the server: safe to try again whatever the method.
                if guard is not None:
                    guard.refused()
                wait = self._backoff(attempt)
                if not may_retry(wait):
                    raise ApiError(
                        f"cannot reach {self.base_url}: {exc or type(exc).__name__}",
                        provider=self.provider,
                        hint="check the network and the base URL",
                    ) from exc
                await self.sleep(wait)
                continue
            except httpx.TransportError as exc:
                if not idempotent:
                    if guard is not None:
                        guard.unknown()
                    raise PossiblySubmittedError(
                        f"no answer to {method} {path} after it was sent ({type(exc).__name__})",
                        provider=self.provider,
                        hint="the job may have been created; the next apply reconciles it",
                    ) from exc
                wait = self._backoff(attempt)
                if not may_retry(wait):
                    raise ApiError(
                        f"{method} {path} failed: {type(exc).__name__}", provider=self.provider
                    ) from exc
                await self.sleep(wait)
                continue
            except BaseException:
                # Cancelled (or worse) while the request was in flight: it may have arrived.
                if guard is not None:
                    guard.unknown()
                raise
            response = _redacted(response, secrets)
            log.debug(
                "%s %s %s -> %s (%.0f ms)",
                self.provider,
                method,
                path,
                response.status_code,
                (self.clock() - started) * 1000,
            )
            self._note_rate_limit(response)
            if response.is_success:
                if guard is not None:
                    guard.landed()
                return response
            error = self.map_error(response)
            status = response.status_code
            if status >= 500 and not idempotent and not error.envelope:
                # A gateway's answer (502, 504...) says nothing about what the API did.
                if guard is not None:
                    guard.unknown()
                raise PossiblySubmittedError(
                    f"{method} {path} answered HTTP {status} from something other than the "
                    f"API after it was sent: {error.message}",
                    provider=self.provider,
                    status=status,
                    hint="the job may have been created; the next apply reconciles it",
                )
            if guard is not None:
                guard.refused()
            wait, source = (
                self._rate_limit_wait(response, error)
                if status == 429
                else (self._backoff(attempt), "backoff")
            )
            if status == 429 and may_retry(wait):
                log.debug(
                    "%s: rate limited on %s %s; waiting %gs (%s)",
                    self.provider,
                    method,
                    path,
                    wait,
                    source,
                )
                await self.sleep(wait)
                continue
            if status >= 500 and may_retry(wait):
                log.debug(
                    "%s: HTTP %s on %s %s; retry %d in %.2fs",
                    self.provider,
                    status,
                    method,
                    path,
                    attempt,
                    wait,
                )
                await self.sleep(wait)
                continue
            raise error

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

    def _backoff(self, attempt: int) -> float:
        # Exponential backoff with full jitter.
        ceiling = min(self.retry.max_delay, self.retry.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0, ceiling)

    def _rate_limit_wait(self, response: httpx.Response, error: ApiError) -> tuple[float, str]:
        """How long a 429 asks us to wait, and which part of the answer said so."""
        header = response.headers.get("retry-after", "")
        reset = response.headers.get("x-ratelimit-reset", "")
        if error.retry_after is not None:
            wait, source = error.retry_after, "retryAfter"
        elif header.replace(".", "", 1).isdigit():
            wait, source = float(header), "Retry-After"
        elif reset.isdigit():
            wait, source = max(0.0, int(reset) - self.clock()), "X-RateLimit-Reset"
        else:
            wait, source = self.retry.base_delay * 4, "default"
        return min(wait, self.retry.max_rate_limit_wait), source

    def _note_rate_limit(self, response: httpx.Response) -> None:
        # Slow down before the limit: with nothing left, wait for the window to reset.
        remaining = response.headers.get("x-ratelimit-remaining")
        reset = response.headers.get("x-ratelimit-reset")
        if remaining == "0" and reset and reset.isdigit():
            self._paused_until = max(
                self._paused_until, min(float(reset), self.clock() + self.retry.max_rate_limit_wait)
            )

    async def _respect_pause(self) -> None:
        wait = self._paused_until - self.clock()
        if wait > 0:
            log.debug("%s: no requests left in this window; waiting %.1fs", self.provider, wait)
            await self.sleep(wait)


class JobDurations:
    """How long each kind of job takes, as one apply sees them: where its first poll goes.

    The first job of a kind is looked at after half the documented wait (``initial_delay``).
    A job found done at its first poll moves the next first poll of its kind earlier: 3%,
    then twice as much after each further one in a row (at most by half), so that jobs that
    got faster are followed in a few jobs; one found still running moves it to where that job
    finished (between its last two polls).
    A job not done at its first poll is looked at again after a short step (a tenth of the
    time waited so far, at least 0.05 s) that doubles up to ``interval``, then grows by
    ``backoff`` up to ``max_interval``. Jobs of one kind take about as long as each other,
    so most are polled once or twice, each soon after it finished, instead of a fixed wait
    that holds a slot long after a short job is done.
    """

    EARLIER = 0.03  # the first step earlier; doubles with each job in a row done by then
    SHORTEST = 0.05  # seconds: never a first poll sooner than this
    FIRST_STEP = 0.05

    def __init__(self) -> None:
        self._first: dict[str, float] = {}
        self._in_a_row: dict[str, int] = {}  # jobs done at their first poll, in a row

    def first(self, kind: str, polling: Polling) -> float:
        """Seconds after a submission to look at its job first."""
        return self._first.get(kind, polling.initial_delay / 2)

    def finished(self, kind: str, waited: float, running_at: float | None, done_at: float) -> None:
        """A job was seen done ``done_at`` seconds after its submission; ``waited``: its
        first poll's delay; ``running_at``: when it was last seen running (None: never)."""
        current = self._first.get(kind)
        if running_at is None:
            # Only a job that waited the current estimate moves it (of a wave of jobs
            # polled at once, the first one does).
            if current is None or waited <= current:
                row = self._in_a_row.get(kind, 0)
                earlier = min(0.5, self.EARLIER * 2**row)
                self._first[kind] = max(self.SHORTEST, waited * (1 - earlier))
                self._in_a_row[kind] = row + 1
        else:
            self._first[kind] = max(current or 0.0, (running_at + done_at) / 2)
            self._in_a_row[kind] = 0


async def poll(
    fetch: Callable[[], Awaitable[T]],
    finished: Callable[[T], bool],
    polling: Polling,
    *,
    provider: str,
    what: str,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.monotonic,
    durations: JobDurations | None = None,
    kind: str = "",
) -> T:
    """Call ``fetch`` until ``finished`` says so. With ``durations``: first when a job of
    ``kind`` is expected done, then in short growing steps (see :class:`JobDurations`);
    without: initial delay, then a growing interval."""
    if durations is not None:
        return await _adaptive(
            fetch, finished, polling, durations, kind, provider, what, sleep, clock
        )
    deadline = clock() + polling.timeout
    await sleep(polling.initial_delay)
    interval = polling.interval
    while True:
        result = await fetch()
        if finished(result):
            return result
        if clock() + interval > deadline:
            raise _timeout(what, polling, provider)
        await sleep(interval)
        interval = min(polling.max_interval, interval * polling.backoff)


async def _adaptive(
    fetch: Callable[[], Awaitable[T]],
    finished: Callable[[T], bool],
    polling: Polling,
    durations: JobDurations,
    kind: str,
    provider: str,
    what: str,
    sleep: Sleep,
    clock: Clock,
) -> T:
    started = clock()
    waited = min(durations.first(kind, polling), polling.timeout)
    await sleep(waited)
    running_at: float | None = None
    step = 0.0
    while True:
        sent = clock() - started
        result = await fetch()
        if finished(result):
            durations.finished(kind, waited, running_at, clock() - started)
            return result
        running_at = sent
        if not step:
            step = max(durations.FIRST_STEP, sent / 10)
        elif step < polling.interval:
            step = min(step * 2, polling.interval)
        else:  # past the documented interval: the fixed schedule's backoff
            step = min(step * polling.backoff, polling.max_interval)
        if clock() - started + step > polling.timeout:
            raise _timeout(what, polling, provider)
        await sleep(step)


def _timeout(what: str, polling: Polling, provider: str) -> PollTimeout:
    return PollTimeout(
        f"{what} still running after {polling.timeout:.0f}s",
        provider=provider,
        hint="it stays recorded as pending: run apply again to collect it",
    )


def _redacted(response: httpx.Response, secrets: list[str]) -> httpx.Response:
    """The answer with any secret this request sent replaced, before anything reads it."""
    content = response.content
    clean = redact(content, secrets)
    if clean == content:
        return response
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-length", "content-encoding")
    ]
    return httpx.Response(
        response.status_code, headers=headers, content=clean, request=response.request
    )


def error_text(response: httpx.Response) -> str:
    text = response.text.strip()
    return text[:300] if text else response.reason_phrase

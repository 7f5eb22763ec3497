"""The send guard: a creating request is announced just before its bytes go out, and what
became of it is reported: refused, landed, or unknown.

The executor records a step as "submitting" there and only there (its
:class:`~contentctl.apply.attempt.Attempt` is the guard), so the uncertain window of a paid
request is one network round trip, never the waits around it: rate-limit pauses and the
retry layer's backoff happen outside this layer.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import Protocol

import httpx

from contentctl.providers.errors import Answer

# Failures before the connection was made: nothing reached the server.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


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


async def send_guarded(guard: SendGuard | None, send: Callable[[], Awaitable[Answer]]) -> Answer:
    """One exchange on the wire, with the guard (if any) told around it."""
    if guard is None:
        return await send()
    await guard.sending()
    try:
        answer = await send()
    except NOT_SENT:
        guard.refused()
        raise
    except BaseException:
        # No answer (a timeout, a dropped connection), or cancelled while the request was
        # in flight: it may have arrived.
        guard.unknown()
        raise
    if answer.error is None:
        guard.landed()
    elif answer.from_gateway:
        guard.unknown()
    else:
        guard.refused()
    return answer

"""What a failed exchange means, in contentctl's errors: the API's error envelope (mapped by
each client), a connection never made, an answer that never came or came from a gateway.

Which of them may be sent again is the retry layer's business
(:mod:`contentctl.providers.retries`); these say what happened, for the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from contentctl.errors import ApiError, PossiblySubmittedError

ErrorMapper = Callable[[httpx.Response], ApiError]

MAY_EXIST = "the job may have been created; the next apply reconciles it"


@dataclass(frozen=True)
class Answer:
    """A response and, for anything but a 2xx, the error the client's mapper read in it."""

    response: httpx.Response
    error: ApiError | None

    @property
    def from_gateway(self) -> bool:
        """An error answer without the API's envelope from a server error (a gateway's 502,
        504...): it says nothing about what the API did."""
        error = self.error
        return error is not None and self.response.status_code >= 500 and not error.envelope


def cannot_reach(provider: str, base_url: str, exc: httpx.TransportError) -> ApiError:
    return ApiError(
        f"cannot reach {base_url}: {exc or type(exc).__name__}",
        provider=provider,
        hint="check the network and the base URL",
    )


def transport_failed(provider: str, request: str, exc: httpx.TransportError) -> ApiError:
    """A request that changes nothing more when repeated got no answer."""
    return ApiError(f"{request} failed: {type(exc).__name__}", provider=provider)


def no_answer(provider: str, request: str, exc: httpx.TransportError) -> PossiblySubmittedError:
    """A creating request went out and no answer came back."""
    return PossiblySubmittedError(
        f"no answer to {request} after it was sent ({type(exc).__name__})",
        provider=provider,
        hint=MAY_EXIST,
    )


def gateway_answer(
    provider: str, request: str, status: int, error: ApiError
) -> PossiblySubmittedError:
    """A creating request went out and something other than the API answered it."""
    return PossiblySubmittedError(
        f"{request} answered HTTP {status} from something other than the "
        f"API after it was sent: {error.message}",
        provider=provider,
        status=status,
        hint=MAY_EXIST,
    )


def error_text(response: httpx.Response) -> str:
    """An answer's text for an error message, when it carries no envelope."""
    text = response.text.strip()
    return text[:300] if text else response.reason_phrase

"""The send guard: a creating request is announced immediately before its bytes go out,
and its fate is reported — refused, accepted, or unknown — so that the executor's
"submitting" record covers exactly one network round trip, never the waits around it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from http_doubles import Clock, powerpost

from contentctl.errors import ApiError, NotSentError, PossiblySubmittedError
from contentctl.providers.postnitro import map_error as postnitro_error
from contentctl.providers.send_guard import SEND_GUARD

RATE_LIMITED = {
    "error": {"message": "Rate limit exceeded", "code": "RATE_LIMIT_EXCEEDED", "retryAfter": 45}
}
SERVER_ERROR = {"error": {"message": "Internal server error", "code": "INTERNAL_ERROR"}}
ACCEPTED = {"generation_id": "g1", "status": "processing", "credits_used": 10}


class Journal:
    """A guard that writes down what it hears, and when the clock said it heard it."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.heard: list[tuple[str, float]] = []
        self.stop = False

    async def sending(self) -> None:
        if self.stop:
            raise NotSentError("not sent: apply is stopping")
        self.heard.append(("sending", self.clock.now))

    def refused(self) -> None:
        self.heard.append(("refused", self.clock.now))

    def landed(self) -> None:
        self.heard.append(("landed", self.clock.now))

    def unknown(self) -> None:
        self.heard.append(("unknown", self.clock.now))

    @property
    def said(self) -> list[str]:
        return [what for what, _when in self.heard]


def _generate(
    handler: Callable[[httpx.Request], httpx.Response], clock: Clock, journal: Journal
) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        SEND_GUARD.set(journal)
        return await powerpost(handler, clock).generate_content({"prompt": "hi"})

    return asyncio.run(go())


def test_a_rate_limit_wait_happens_between_a_refusal_and_the_next_send() -> None:
    clock, seen = Clock(), []
    journal = Journal(clock)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(clock.now)
        return httpx.Response(
            429 if len(seen) == 1 else 200, json=RATE_LIMITED if len(seen) == 1 else ACCEPTED
        )

    _generate(handler, clock, journal)

    assert journal.said == ["sending", "refused", "sending", "landed"]
    # The 45 s wait lies between "refused" and the next "sending": nothing is outstanding.
    (_, refused_at), (_, sent_again_at) = journal.heard[1], journal.heard[2]
    assert sent_again_at - refused_at == 45


def test_any_4xx_is_a_definite_refusal_and_is_not_retried() -> None:
    clock, seen = Clock(), []
    journal = Journal(clock)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            402, json={"error": {"message": "Insufficient credits", "code": "INSUFFICIENT_CREDITS"}}
        )

    with pytest.raises(ApiError) as caught:
        _generate(handler, clock, journal)
    assert caught.value.code == "INSUFFICIENT_CREDITS"
    assert len(seen) == 1 and journal.said == ["sending", "refused"]


def test_a_5xx_in_the_apis_envelope_is_a_refusal_and_is_retried() -> None:
    clock, seen = Clock(), []
    journal = Journal(clock)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            500 if len(seen) < 3 else 200, json=SERVER_ERROR if len(seen) < 3 else ACCEPTED
        )

    assert _generate(handler, clock, journal)["generation_id"] == "g1"
    assert len(seen) == 3
    assert journal.said == ["sending", "refused"] * 2 + ["sending", "landed"]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateways_5xx_after_a_post_is_possibly_submitted_and_never_sent_again(
    status: int,
) -> None:
    clock, seen = Clock(), []
    journal = Journal(clock)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, text="<html><body>Bad gateway</body></html>")

    with pytest.raises(PossiblySubmittedError) as caught:
        _generate(handler, clock, journal)
    assert len(seen) == 1
    assert journal.said == ["sending", "unknown"]
    assert f"HTTP {status}" in caught.value.message


def test_postnitro_envelopes_are_told_from_a_gateways_page() -> None:
    ours = postnitro_error(
        httpx.Response(500, json={"success": False, "message": "Error fetching"})
    )
    other = postnitro_error(httpx.Response(500, json={"status": False, "message": "Failed"}))
    gateway = postnitro_error(httpx.Response(502, text="Bad gateway"))
    assert ours.envelope and other.envelope and not gateway.envelope


def test_a_connection_never_made_is_a_refusal() -> None:
    clock, seen = Clock(), []
    journal = Journal(clock)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=ACCEPTED)

    _generate(handler, clock, journal)
    assert journal.said == ["sending", "refused", "sending", "landed"]


def test_a_dropped_connection_after_sending_is_unknown() -> None:
    clock = Clock()
    journal = Journal(clock)

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    with pytest.raises(PossiblySubmittedError):
        _generate(handler, clock, journal)
    assert journal.said == ["sending", "unknown"]


def test_a_stopping_guard_keeps_the_request_from_leaving() -> None:
    clock, seen = Clock(), []
    journal = Journal(clock)
    journal.stop = True

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=ACCEPTED)

    with pytest.raises(NotSentError):
        _generate(handler, clock, journal)
    assert seen == []


def test_reads_and_updates_are_not_announced() -> None:
    clock = Clock()
    journal = Journal(clock)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"generation_id": "g1", "status": "completed"})

    async def go() -> None:
        SEND_GUARD.set(journal)
        await powerpost(handler, clock).get_generation("g1")

    asyncio.run(go())
    assert journal.heard == []

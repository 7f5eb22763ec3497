"""The providers' HTTP behaviour, through httpx.MockTransport: retries that cannot pay twice,
rate limits, auth headers, error envelopes, polling."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from http_doubles import Clock, powerpost

from contentctl.config import Polling, Project, ProviderSettings
from contentctl.errors import ApiError, CredentialsError, PollTimeout, PossiblySubmittedError
from contentctl.providers import open_providers
from contentctl.providers.http import Http
from contentctl.providers.polling import poll
from contentctl.providers.postnitro import PostNitro
from contentctl.providers.postnitro import map_error as postnitro_error
from contentctl.providers.powerpost import map_error as powerpost_error

ENV = {
    "POWERPOST_API_KEY": "pp_live_sk_test",
    "POWERPOST_WORKSPACE_ID": "ws_1",
    "POSTNITRO_API_KEY": "pn_test",
}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_429_waits_the_retry_after_the_api_asked_for() -> None:
    clock, seen = Clock(), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(
                429,
                json={
                    "error": {
                        "message": "Rate limit exceeded",
                        "code": "RATE_LIMIT_EXCEEDED",
                        "retryAfter": 45,
                    }
                },
            )
        return httpx.Response(200, json={"generation_id": "g1", "status": "processing"})

    answer = run(powerpost(handler, clock).generate_content({"prompt": "hi"}))

    assert answer["generation_id"] == "g1"
    assert len(seen) == 2
    assert clock.sleeps == [45]


def test_a_post_that_timed_out_after_sending_is_never_sent_again() -> None:
    clock, seen = Clock(), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ReadTimeout("no answer", request=request)

    with pytest.raises(PossiblySubmittedError) as caught:
        run(powerpost(handler, clock).generate_content({"prompt": "hi"}))

    assert len(seen) == 1
    assert "next apply reconciles" in (caught.value.hint or "")


def test_a_get_that_timed_out_is_retried_with_backoff() -> None:
    clock, seen = Clock(), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) < 3:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json={"generation_id": "g1", "status": "completed"})

    run(powerpost(handler, clock).get_generation("g1"))

    assert len(seen) == 3
    assert len(clock.sleeps) == 2 and all(0 <= s <= 1.0 for s in clock.sleeps)


def test_connection_refused_is_retried_because_nothing_was_sent() -> None:
    clock, seen = Clock(), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"generation_id": "g2", "status": "processing"})

    assert run(powerpost(handler, clock).generate_content({}))["generation_id"] == "g2"
    assert len(seen) == 2


def test_server_errors_are_retried_then_reported_with_the_api_code() -> None:
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"error": {"message": "boom", "code": "INTERNAL_ERROR"}})

    with pytest.raises(ApiError) as caught:
        run(powerpost(handler, clock).get_post("post-1"))

    assert caught.value.status == 500 and caught.value.code == "INTERNAL_ERROR"
    # Retried (with growing, jittered waits) until the attempts or the time budget ran out.
    assert 5 <= len(clock.sleeps) <= 19
    assert sum(clock.sleeps) <= 300
    assert "run apply again later" in (caught.value.hint or "")


def test_an_outage_shorter_than_the_budget_is_waited_out() -> None:
    clock, seen = Clock(), []
    back_at = clock.now + 90  # the API is unreachable for a minute and a half

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(clock.now)
        if clock.now < back_at:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"generation_id": "g1", "status": "processing"})

    assert run(powerpost(handler, clock).generate_content({}))["generation_id"] == "g1"
    assert len(seen) > 5 and seen[-1] >= back_at


def test_an_outage_longer_than_the_budget_is_reported() -> None:
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ApiError, match="cannot reach"):
        run(powerpost(handler, clock).generate_content({}))
    assert sum(clock.sleeps) <= 300


def test_no_requests_left_in_the_window_pauses_until_it_resets() -> None:
    clock = Clock()
    reset = int(clock.now) + 30

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"balance": 5},
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        )

    client = powerpost(handler, clock)
    run(client.credits())
    assert clock.sleeps == []
    run(client.credits())
    assert clock.sleeps == [30]


def test_workspace_header_on_content_calls_but_not_on_credits() -> None:
    clock, seen = Clock(), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body: dict[str, Any] = {"balance": 1} if request.url.path.endswith("credits") else {}
        return httpx.Response(200, json=body)

    client = powerpost(handler, clock)
    run(client.credits())
    run(client.get_post("post-1"))

    credits, post = seen
    assert credits.headers["x-api-key"] == "pp_live_sk_test"
    assert "x-workspace-id" not in credits.headers
    assert post.headers["x-workspace-id"] == "ws_1"
    assert post.headers["x-api-key"] == "pp_live_sk_test"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            401,
            {"error": {"message": "Invalid API key", "code": "INVALID_API_KEY"}},
            "POWERPOST_API_KEY",
        ),
        (
            400,
            {"error": {"message": "X-Workspace-Id header is required", "code": "VALIDATION_ERROR"}},
            "POWERPOST_WORKSPACE_ID",
        ),
        (
            402,
            {"error": {"message": "Insufficient credits", "code": "INSUFFICIENT_CREDITS"}},
            "buy credits",
        ),
        (
            409,
            {"error": {"message": "Post is already published", "code": "ALREADY_PUBLISHED"}},
            "already published",
        ),
        (
            422,
            {"error": {"message": "tiktok is not connected", "code": "PLATFORM_NOT_CONNECTED"}},
            "Settings → Connections",
        ),
    ],
)
def test_powerpost_errors_say_what_to_do(status: int, body: dict[str, Any], expected: str) -> None:
    error = powerpost_error(httpx.Response(status, json=body))
    assert error.status == status
    assert error.code == body["error"]["code"]
    assert expected in (error.hint or "")
    assert body["error"]["message"] in str(error)


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "message": "No templates found"},
        {"status": False, "message": "No templates found"},
    ],
)
def test_postnitro_reads_both_error_envelopes(body: dict[str, Any]) -> None:
    error = postnitro_error(httpx.Response(404, json=body))
    assert error.message == "No templates found" and error.status == 404


def test_postnitro_empty_list_is_a_404_that_means_no_items() -> None:
    clock = Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["embed-api-key"] == "pn_test"
        return httpx.Response(404, json={"success": False, "message": "No brands found"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    http = Http(
        "postnitro",
        client,
        "https://pn.test",
        {"embed-api-key": "pn_test"},
        postnitro_error,
        sleep=clock.sleep,
        clock=clock,
    )
    assert run(PostNitro(http).brands()) == []


def test_missing_keys_are_named_before_any_request(tmp_path: Path) -> None:
    project = Project(
        root=tmp_path,
        name="p",
        providers={"powerpost": ProviderSettings("https://powerpost.test/api/v1")},
    )
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(answer)

    async def attempt() -> None:
        async with open_providers(
            project, {"POWERPOST_API_KEY": "k"}, {"powerpost", "postnitro"}, transport=transport
        ):
            pass

    with pytest.raises(CredentialsError) as caught:
        run(attempt())
    assert "POWERPOST_WORKSPACE_ID" in caught.value.message
    assert "POSTNITRO_API_KEY" in caught.value.message
    assert seen == []


def _poll(fetch: Any, clock: Clock, polling: Polling, **adaptive: Any) -> None:
    """Poll a PowerPost job until its status is "completed", on the fake clock; ``adaptive``:
    the ``durations``, ``kind`` and ``since`` of adaptive polling."""
    run(
        poll(
            fetch,
            lambda j: j["status"] == "completed",
            polling,
            provider="powerpost",
            what="job",
            sleep=clock.sleep,
            clock=clock,
            **adaptive,
        )
    )


def test_polling_backs_off_and_gives_up_at_the_timeout() -> None:
    clock = Clock()
    calls = []

    async def fetch() -> dict[str, str]:
        calls.append(clock.now)
        return {"status": "processing"}

    polling = Polling(initial_delay=2, interval=3, backoff=2, max_interval=10, timeout=40)
    with pytest.raises(PollTimeout):
        _poll(fetch, clock, polling)
    assert clock.sleeps[:4] == [2, 3, 6, 10]
    assert all(s <= 10 for s in clock.sleeps)
    assert sum(clock.sleeps) <= 40


def test_a_download_the_network_drops_is_an_error_with_a_hint_not_a_crash() -> None:
    from contentctl.providers.downloads import Downloads

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    with pytest.raises(ApiError) as caught:
        run(Downloads(client).fetch("https://storage.example/slide_0.png"))
    assert "download of https://storage.example/slide_0.png failed: ConnectError" in str(
        caught.value
    )
    assert "run apply again" in (caught.value.hint or "")


def _jobs(clock: Clock, durations: Any, taking: list[float], polling: Polling) -> list[int]:
    """Poll one job after another, each done ``taking[i]`` seconds after its submission;
    returns the polls each took, and checks each is seen done soon after it finished."""
    from contentctl.providers.polling import JobDurations

    assert isinstance(durations, JobDurations)
    counts = []
    for duration in taking:
        submitted, polls = clock.now, [0]

        async def fetch(
            submitted: float = submitted, polls: list[int] = polls, duration: float = duration
        ) -> dict[str, str]:
            polls[0] += 1
            done = clock.now - submitted >= duration
            return {"status": "completed" if done else "processing"}

        _poll(fetch, clock, polling, durations=durations, kind="captions")
        counts.append(polls[0])
        waited = clock.now - submitted
        assert waited >= duration
        steady = taking[max(0, len(counts) - 10) : len(counts)]
        if len(steady) == 10 and set(steady) == {duration}:
            # Once it has learnt the pace: seen done within 10% of the duration.
            assert waited <= duration * 1.1 + 0.01, (len(counts), waited, duration)
    return counts


def test_adaptive_polling_learns_when_a_kind_of_job_is_done() -> None:
    from contentctl.providers.polling import JobDurations

    clock = Clock()
    durations = JobDurations()
    polling = Polling()  # the documented schedule: first look after about 2 s
    counts = _jobs(clock, durations, [1.0] * 100, polling)

    assert clock.sleeps[0] == polling.initial_delay / 2  # the first job: half the wait
    assert sum(counts) / len(counts) <= 2
    assert max(counts) <= 3


def test_adaptive_polling_follows_jobs_that_get_slower_and_faster() -> None:
    from contentctl.providers.polling import JobDurations

    clock = Clock()
    durations = JobDurations()
    taking = [1.0] * 30 + [6.0] * 40 + [0.5] * 40
    counts = _jobs(clock, durations, taking, Polling())

    assert sum(counts) / len(counts) <= 2
    # A change of pace costs a few polls once, not on every job after it.
    assert sum(counts[40:70]) / 30 <= 2 and sum(counts[-30:]) / 30 <= 2


def test_adaptive_polling_steps_up_to_the_longest_interval_and_times_out() -> None:
    from contentctl.providers.polling import JobDurations

    clock = Clock()
    calls = []

    async def fetch() -> dict[str, str]:
        calls.append(clock.now)
        return {"status": "processing"}

    polling = Polling(initial_delay=2, interval=3, backoff=2, max_interval=10, timeout=60)
    with pytest.raises(PollTimeout):
        _poll(fetch, clock, polling, durations=JobDurations(), kind="images")
    # A hundredth of the time waited (at least 0.01 s), growing fourfold.
    assert clock.sleeps[:4] == [1.0, 0.01, 0.04, 0.16]
    assert max(clock.sleeps) == 10
    assert sum(clock.sleeps) <= 60
    assert len(calls) < 15  # a job that never finishes is not hammered


def test_a_job_is_first_polled_counting_from_when_its_submission_was_answered() -> None:
    """What the apply did since the answer (recording it, the answers of other jobs) is time
    the job was running: the first poll is not pushed back by it."""
    from contentctl.providers.polling import JobDurations

    clock = Clock()
    durations = JobDurations()
    durations.finished("captions", 1.0, None, 1.0)  # a job of this kind was done in 1 s
    first = durations.first("captions", Polling())
    answered = clock.now
    clock.now += 0.3  # recording the submission took this long

    async def fetch() -> dict[str, str]:
        return {"status": "completed"}

    _poll(fetch, clock, Polling(), durations=durations, kind="captions", since=answered)
    assert clock.sleeps == [pytest.approx(first - 0.3)]
    assert clock.now - answered == pytest.approx(first)


def test_no_wait_polling_looks_once_at_once() -> None:
    from contentctl.providers.polling import JobDurations

    clock = Clock()
    durations = JobDurations()
    durations.finished("captions", 1.0, None, 1.0)
    calls = []

    async def fetch() -> dict[str, str]:
        calls.append(clock.now)
        return {"status": "processing"}

    with pytest.raises(PollTimeout):
        _poll(
            fetch, clock, Polling(initial_delay=0, timeout=0), durations=durations, kind="captions"
        )
    assert clock.sleeps == [0] and len(calls) == 1

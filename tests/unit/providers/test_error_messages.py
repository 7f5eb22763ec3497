"""Every documented error code of both APIs becomes a message that says what happened and
what to do. The CLI prints ``error: <str(exc)>`` and ``hint: <exc.hint>``."""

from __future__ import annotations

import httpx
import pytest

from contentctl.providers.postnitro import map_error as postnitro_error
from contentctl.providers.powerpost import map_error as powerpost_error

POWERPOST = [
    (400, "VALIDATION_ERROR", "prompt must be 3 to 2000 characters", "check the manifest"),
    (400, "VALIDATION_ERROR", "X-Workspace-Id header is required", "set POWERPOST_WORKSPACE_ID"),
    (401, "INVALID_API_KEY", "Invalid API key", "check POWERPOST_API_KEY"),
    (402, "INSUFFICIENT_CREDITS", "Insufficient credits", "buy credits"),
    (403, "FORBIDDEN", "No access to this workspace", "POWERPOST_WORKSPACE_ID"),
    (403, "INSUFFICIENT_SCOPE", "Missing scope: posts:publish", "scope named in the message"),
    (404, "NOT_FOUND", "Generation not found", "--replace"),
    (409, "ALREADY_PUBLISHED", "Post already published", "already published"),
    (413, "FILE_TOO_LARGE", "File too large", "up to 10 MB"),
    (413, "STORAGE_QUOTA_EXCEEDED", "Storage quota exceeded", "10 GB"),
    (422, "PLATFORM_NOT_CONNECTED", "tiktok is not connected", "Settings → Connections"),
    (429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded", "waits and retries"),
    (500, "INTERNAL_ERROR", "Internal error", "run apply again later"),
]


@pytest.mark.parametrize(
    ("status", "code", "message", "hint"), POWERPOST, ids=[f"{s}-{c}" for s, c, _m, _h in POWERPOST]
)
def test_powerpost_error(status: int, code: str, message: str, hint: str) -> None:
    error = powerpost_error(
        httpx.Response(status, json={"error": {"message": message, "code": code}})
    )
    assert str(error) == f"powerpost: {message} (HTTP {status} {code})"
    assert hint in (error.hint or "")


POSTNITRO = [
    (401, {"status": False, "message": "Unauthorized"}, "POSTNITRO_API_KEY"),
    (
        401,
        {
            "status": False,
            "message": "Unable to find embed details, please check your Embed API key...",
        },
        "POSTNITRO_API_KEY",
    ),
    (
        401,
        {
            "status": False,
            "message": "Unable to find workspace details, please attach a "
            "workspace to this API key.",
        },
        "workspace is attached",
    ),
    (
        402,
        {
            "status": False,
            "message": "Embed API requires a paid main plan with the API "
            "Credits add-on, or an active Embed API subscription.",
        },
        "paid PostNitro plan",
    ),
    (
        404,
        {"success": False, "message": "Post details not found.", "error": None},
        "does not exist",
    ),
    (
        422,
        {"status": False, "message": "Extra parameters passed in the body."},
        "check the manifest",
    ),
    (429, {"success": False, "message": "Too many requests"}, "waits and retries"),
    (500, {"success": False, "message": "Error fetching Templates"}, "run apply again later"),
]


@pytest.mark.parametrize(
    ("status", "body", "hint"),
    POSTNITRO,
    ids=[f"{s}-{i}" for i, (s, _b, _h) in enumerate(POSTNITRO)],
)
def test_postnitro_error(status: int, body: dict[str, object], hint: str) -> None:
    error = postnitro_error(httpx.Response(status, json=body))
    assert str(error) == f"postnitro: {body['message']} (HTTP {status})"
    assert hint in (error.hint or "")


def test_an_error_without_an_envelope_keeps_the_raw_text() -> None:
    error = powerpost_error(httpx.Response(502, text="<html>Bad gateway</html>"))
    assert error.status == 502 and "Bad gateway" in error.message

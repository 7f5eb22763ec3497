"""Around every emulated endpoint: authenticate, count, log, inject faults."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contentctl.sandbox.state import SandboxState


@dataclass
class Reply:
    """A handler's answer; ``created`` names the id of anything it created (for the log)."""

    status: int
    body: Any
    created: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One incoming request, parsed once for the handler and the log."""

    request: Request
    json: Any = None
    form: Mapping[str, Any] | None = None
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def path_params(self) -> Mapping[str, Any]:
        return self.request.path_params


Handler = Callable[[SandboxState, Call], Awaitable[Reply] | Reply]
Authenticate = Callable[[SandboxState, Call], Reply | None]
ErrorBody = Callable[[int, str, str], Any]


@dataclass(frozen=True)
class EmulatedApi:
    provider: str
    prefix: str
    authenticate: Authenticate
    error: ErrorBody  # (status, code, message) -> body in this API's envelope
    rate_limit_headers: bool
    alias: str = ""  # a second mount point of the same routes

    def route(self, state: SandboxState, method: str, path: str, handler: Handler) -> Route:
        async def endpoint(request: Request) -> Response:
            call = await _parse(request)
            entry: dict[str, Any] = {
                "provider": self.provider,
                "method": method,
                "path": path_of(request, self.prefix, self.alias),
                "route": path,
                "headers": sorted(h.lower() for h in request.headers),
                "query": dict(request.query_params),
            }
            if call.json is not None:
                entry["body"] = call.json
            if call.form is not None:
                entry["form"] = {k: v for k, v in call.form.items() if isinstance(v, str)}
            reply = self._limit(state) or self.authenticate(state, call) or self._fault(state)
            if reply is None:
                result = handler(state, call)
                reply = await result if isinstance(result, Awaitable) else result
                state.save()
            if reply.status >= 400 and state.settings.faults.echo_key:
                _echo_key(reply, request)
            entry["status"] = reply.status
            if reply.created:
                entry["created"] = reply.created
            state.log(entry)
            headers = {"X-Request-Id": str(uuid.uuid4()), **reply.headers}
            if self.rate_limit_headers:
                headers.update(self._rate_headers(state))
            return JSONResponse(reply.body, status_code=reply.status, headers=headers)

        return Route(path, endpoint, methods=[method])

    def _window(self, state: SandboxState) -> dict[str, Any]:
        windows = state.data.setdefault("rate_windows", {})
        start = math.floor(state.now() / 60) * 60
        window: dict[str, Any] = windows.get(self.provider) or {}
        if window.get("start") != start:
            window = {"start": start, "count": 0}
            windows[self.provider] = window
        return window

    def _limit(self, state: SandboxState) -> Reply | None:
        window = self._window(state)
        window["count"] += 1
        if window["count"] <= state.settings.rate_limit:
            return None
        retry_after = max(1, int(window["start"] + 60 - state.now()))
        return self._too_many(retry_after)

    def _fault(self, state: SandboxState) -> Reply | None:
        faults = state.settings.faults
        if state.chance(faults.rate_limit):
            return self._too_many(faults.retry_after)
        if state.chance(faults.server_error):
            return Reply(500, self.error(500, "INTERNAL_ERROR", "Internal server error (injected)"))
        return None

    def _too_many(self, retry_after: float) -> Reply:
        body = self.error(429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded")
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            body["error"]["retryAfter"] = retry_after
        return Reply(429, body)

    def _rate_headers(self, state: SandboxState) -> dict[str, str]:
        window = self._window(state)
        limit = state.settings.rate_limit
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - window["count"])),
            "X-RateLimit-Reset": str(int(window["start"] + 60)),
        }


def _echo_key(reply: Reply, request: Request) -> None:
    """A careless API: the error message repeats the key it was sent."""
    key = request.headers.get("x-api-key") or request.headers.get("embed-api-key") or ""
    if not key or not isinstance(reply.body, dict):
        return
    nested = reply.body.get("error")
    error: dict[str, Any] = nested if isinstance(nested, dict) else reply.body
    error["message"] = f"{error.get('message', 'error')} (key received: {key})"


def path_of(request: Request, prefix: str, alias: str = "") -> str:
    path = request.url.path
    for root in filter(None, (prefix, alias)):
        if path.startswith(root + "/"):
            return path[len(root) :]
    return path


async def _parse(request: Request) -> Call:
    params = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type.startswith("multipart/form-data"):
            form = await request.form(max_part_size=600 * 1024 * 1024)
            return Call(request, form=dict(form), params=params)
        raw = await request.body()
        if raw:
            try:
                return Call(request, json=json.loads(raw), params=params)
            except ValueError:
                return Call(request, json={"__invalid_json__": True}, params=params)
    return Call(request, params=params)


def base_url(call: Call) -> str:
    """Where this sandbox is reachable, as the client sees it (in-process or over HTTP)."""
    return str(call.request.base_url).rstrip("/")

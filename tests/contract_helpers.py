"""The sandbox as the contract suite sees it: in-process (ASGI transport) or over real HTTP
against `contentctl sandbox serve` on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from contentctl.config import Project, ProviderSettings, Retries
from contentctl.providers import Providers, open_providers
from contentctl.sandbox.app import Sandbox
from contentctl.sandbox.endpoints import IN_PROCESS_ORIGIN
from contentctl.sandbox.settings import SandboxSettings
from contentctl.sandbox.state import read_log

T = TypeVar("T")
KEYS = dict(Sandbox.environ())
QUICK = {"CONTENTCTL_SANDBOX_LATENCY": "0"}


@dataclass
class Api:
    """Where the sandbox is, and how to reach it: what a provider test needs."""

    mode: str
    origin: str
    state_dir: Path
    sandbox: Sandbox | None = None  # in-process only
    process: subprocess.Popen[bytes] | None = None
    marks: list[int] = field(default_factory=list)

    def project(self) -> Project:
        quick = Retries(base_delay=0.01, max_delay=0.05)
        return Project(
            root=self.state_dir,
            name="contract",
            providers={
                "powerpost": ProviderSettings(self.origin + "/powerpost/api/v1", retries=quick),
                "postnitro": ProviderSettings(self.origin + "/postnitro", retries=quick),
            },
        )

    def transport(self) -> httpx.AsyncBaseTransport | None:
        return self.sandbox.transport() if self.sandbox else None

    @contextlib.asynccontextmanager
    async def clients(self, environ: dict[str, str] | None = None) -> AsyncIterator[Providers]:
        async with open_providers(
            self.project(), environ or KEYS, {"powerpost", "postnitro"}, transport=self.transport()
        ) as providers:
            yield providers

    def raw(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport(), base_url=self.origin)

    def log(self) -> list[dict[str, Any]]:
        return read_log(self.state_dir / ".contentctl" / "sandbox" / "requests.jsonl")

    def run(self, scenario: Callable[[Api], Coroutine[Any, Any, T]]) -> T:
        return asyncio.run(scenario(self))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(mode: str, root: Path, env: dict[str, str]) -> Api:
    root.mkdir(parents=True, exist_ok=True)
    state_dir = root / ".contentctl" / "sandbox"
    if mode == "in-process":
        sandbox = Sandbox(state_dir, SandboxSettings.from_env(env))
        return Api(mode, IN_PROCESS_ORIGIN, root, sandbox=sandbox)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "contentctl",
            "-C",
            str(root),
            "sandbox",
            "serve",
            "--port",
            str(port),
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                said = process.stderr.read() if process.stderr else b""
                message = f"sandbox serve did not start: {said!r}"
                raise AssertionError(message) from None
            time.sleep(0.05)
    return Api(mode, f"http://127.0.0.1:{port}", root, process=process)


def stop(api: Api) -> None:
    if api.process is not None:
        api.process.terminate()
        api.process.wait(timeout=10)

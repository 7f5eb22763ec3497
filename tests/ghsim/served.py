"""The emulated APIs served over HTTP by ``contentctl sandbox serve``, in their own folder: the
API's state outlives every runner, as PowerPost's and PostNitro's do."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from contentctl.sandbox.app import Sandbox
from contentctl.sandbox.state import read_log


def free_port() -> int:
    """A port nothing listens on: bind port 0 and let the kernel choose."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, deadline: float, alive: Any = None) -> None:
    """Until something accepts connections on ``port`` (or ``alive()`` says it never will)."""
    limit = time.monotonic() + deadline
    while time.monotonic() < limit:
        if alive is not None and not alive():
            raise RuntimeError(f"the server for port {port} exited")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {deadline:g}s")


SERVE = (sys.executable, "-m", "contentctl")


def _inherited() -> dict[str, str]:
    """This process's environment without sandbox settings (each server gets its own)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CONTENTCTL_SANDBOX")}


class ServedSandbox:
    """``python -m contentctl -C FOLDER sandbox serve --port P`` on a free port."""

    def __init__(
        self,
        folder: Path,
        *,
        latency: float = 1.0,
        faults: str = "",
        rate_limit: int = 600,
        port: int = 0,
    ) -> None:
        self.folder = folder
        self.settings = {
            "CONTENTCTL_SANDBOX_LATENCY": f"{latency:g}",
            "CONTENTCTL_SANDBOX_FAULTS": faults,
            "CONTENTCTL_SANDBOX_RATE_LIMIT": str(rate_limit),
        }
        self.port = port  # 0: a free one, chosen at start
        self.fixed = bool(port)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def data_dir(self) -> Path:
        return self.folder / ".contentctl" / "sandbox"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, attempts: int = 3) -> ServedSandbox:
        self.folder.mkdir(parents=True, exist_ok=True)
        for _attempt in range(attempts):
            if not self.fixed:
                self.port = free_port()
            log = (self.folder / "serve.log").open("ab")
            self.process = subprocess.Popen(
                [*SERVE, "-C", str(self.folder), "sandbox", "serve", "--port", str(self.port)],
                env={**_inherited(), **self.settings, "NO_COLOR": "1"},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
            try:
                wait_listening(self.port, 30.0, alive=self._alive)
                return self
            except RuntimeError:  # lost the port to someone else between probe and bind
                continue
        raise RuntimeError(f"the sandbox did not start: {(self.folder / 'serve.log').read_text()}")

    def _alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def environ(self, origin: str | None = None) -> dict[str, str]:
        """Keys and base URLs a client in real mode needs (``origin``: e.g. a proxy's)."""
        return Sandbox.environ(origin or self.origin)

    def state(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads((self.data_dir / "state.json").read_text())
        except FileNotFoundError:
            return {"powerpost": {}, "postnitro": {}}
        return data

    def requests(self) -> list[dict[str, Any]]:
        return read_log(self.data_dir / "requests.jsonl")

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def __enter__(self) -> ServedSandbox:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

"""Shared fixtures: every test works on copies of real example projects, talks HTTP only to
the sandbox, and cannot reach the network."""

from __future__ import annotations

import os
import signal
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import Project, copy_example

# A shell that starts a command in the background ignores SIGINT in it, and a child inherits
# that: the tests that press Ctrl-C at a prompt or cancel a workflow step would then send a
# signal nobody can receive. Start every child the way a terminal would.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
for _number in (signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP):
    if signal.getsignal(_number) is signal.SIG_IGN:
        signal.signal(_number, signal.SIG_DFL)

# The key that signs the schema-valid cache: one for the whole run, outside the user's home.
os.environ.setdefault(
    "CONTENTCTL_CACHE_KEY", str(Path(tempfile.mkdtemp(prefix="contentctl-key-")) / "cache.key")
)

SECRET_VARIABLES = (
    "POWERPOST_API_KEY",
    "POWERPOST_WORKSPACE_ID",
    "POSTNITRO_API_KEY",
    "POWERPOST_BASE_URL",
    "POSTNITRO_BASE_URL",
    "CONTENTCTL_SANDBOX",
    "CONTENTCTL_SANDBOX_FAULTS",
    "CONTENTCTL_SANDBOX_LATENCY",
    "GITHUB_TOKEN",
    "GITHUB_API_URL",
    "GITHUB_REPOSITORY",
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection that is not to this machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            raise AssertionError(f"a test tried to reach the network: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def quickstart(tmp_path: Path) -> Iterator[Project]:
    yield Project(copy_example("quickstart", tmp_path), {"CONTENTCTL_SANDBOX_LATENCY": "0"})


@pytest.fixture
def applied(quickstart: Project) -> Project:
    """The quickstart, applied once on the sandbox."""
    result = quickstart.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return quickstart

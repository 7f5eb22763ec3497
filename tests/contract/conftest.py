"""One suite of provider tests, run twice: against the sandbox in-process (ASGI transport) and
over real HTTP against `contentctl sandbox serve` on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from contract_helpers import QUICK, Api, start, stop


@pytest.fixture(scope="module", params=["in-process", "loopback"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A sandbox shared by the tests of a module, with default settings and instant jobs."""
    started = start(request.param, tmp_path_factory.mktemp(request.param), QUICK)
    yield started
    stop(started)


@pytest.fixture(params=["in-process", "loopback"])
def api_with(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Api]]:
    """A fresh sandbox with particular settings, for tests that need them."""
    started: list[Api] = []

    def factory(**env: str) -> Api:
        api = start(request.param, tmp_path / f"sandbox{len(started)}", {**QUICK, **env})
        started.append(api)
        return api

    yield factory
    for api in started:
        stop(api)

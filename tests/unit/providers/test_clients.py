"""The clients an apply opens: what they cost before the first request."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path
from typing import Any

import pytest

from contentctl import providers
from contentctl.config import Project

ENV = {
    "POWERPOST_API_KEY": "pp_live_sk_test",
    "POWERPOST_WORKSPACE_ID": "ws_1",
    "POSTNITRO_API_KEY": "pn_test",
}


def test_every_client_of_an_apply_shares_one_tls_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the certificates costs some 30 ms; an apply opens three clients (PowerPost,
    PostNitro, downloads) and loads them once."""
    made: list[ssl.SSLContext] = []
    create = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(create(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    providers._shared_tls.cache_clear()
    contexts = []

    async def open_all() -> None:
        async with providers.open_providers(
            Project(root=tmp_path, name="p"), ENV, {"powerpost", "postnitro"}
        ) as apis:
            assert apis.powerpost is not None and apis.postnitro is not None
            contexts.append(providers.tls(None))

    asyncio.run(open_all())
    providers._shared_tls.cache_clear()
    assert len(made) == 1
    assert contexts == made
    # Verified as httpx verifies by default.
    assert made[0].verify_mode == ssl.CERT_REQUIRED and made[0].check_hostname


def test_a_given_transport_needs_no_certificates() -> None:
    import httpx

    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    assert providers.tls(transport) is True

"""API clients. Secrets come only from the environment; base URLs from config or environment.

This package never imports the pipeline: it takes settings and a transport, and speaks HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass

import httpx

from contentctl.config import DEFAULT_BASE_URLS, Project
from contentctl.errors import CredentialsError
from contentctl.providers import postnitro, powerpost
from contentctl.providers.downloads import Downloads
from contentctl.providers.errors import ErrorMapper
from contentctl.providers.http import Http
from contentctl.providers.postnitro import PostNitro
from contentctl.providers.powerpost import PowerPost
from contentctl.providers.timing import Sleep

REQUIRED_VARIABLES = {
    "powerpost": (powerpost.KEY_VARIABLE, powerpost.WORKSPACE_VARIABLE),
    "postnitro": (postnitro.KEY_VARIABLE,),
}


def check_credentials(environ: Mapping[str, str], needed: Collection[str]) -> None:
    """Raise before any request if a variable a provider needs is missing."""
    missing = [v for p in sorted(needed) for v in REQUIRED_VARIABLES[p] if not environ.get(v)]
    if missing:
        raise CredentialsError(
            f"missing environment variable{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            hint="export them (in CI, from repository secrets), or try the sandbox with --sandbox",
        )


@dataclass
class Providers:
    """The open clients of one apply, sharing transports."""

    powerpost: PowerPost | None
    postnitro: PostNitro | None
    downloads: Downloads

    def require_powerpost(self) -> PowerPost:
        if self.powerpost is None:  # pragma: no cover - guarded by check_credentials
            raise CredentialsError("PowerPost is not configured")
        return self.powerpost

    def require_postnitro(self) -> PostNitro:
        if self.postnitro is None:  # pragma: no cover - guarded by check_credentials
            raise CredentialsError("PostNitro is not configured")
        return self.postnitro


@contextlib.asynccontextmanager
async def open_providers(
    project: Project,
    environ: Mapping[str, str],
    needed: Collection[str],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep | None = None,
) -> AsyncIterator[Providers]:
    """Clients for the providers in ``needed``; credentials are checked before anything is sent."""
    check_credentials(environ, needed)
    async with contextlib.AsyncExitStack() as stack:

        async def http(name: str, headers: Mapping[str, str], map_error: ErrorMapper) -> Http:
            settings = project.provider(name)
            client = httpx.AsyncClient(
                transport=transport,
                timeout=settings.timeout,
                follow_redirects=False,
                verify=tls(transport),
            )
            return Http(
                name,
                await stack.enter_async_context(client),
                settings.base_url,
                headers,
                map_error,
                retry=settings.retries,
                sleep=sleep or asyncio.sleep,
            )

        pp = pn = None
        if "powerpost" in needed:
            pp_http = await http(
                "powerpost", powerpost.headers(environ[powerpost.KEY_VARIABLE]), powerpost.map_error
            )
            pp = PowerPost(pp_http, environ[powerpost.WORKSPACE_VARIABLE])
        if "postnitro" in needed:
            pn_http = await http(
                "postnitro", postnitro.headers(environ[postnitro.KEY_VARIABLE]), postnitro.map_error
            )
            pn = PostNitro(pn_http)
        client = await stack.enter_async_context(download_client(transport))
        yield Providers(pp, pn, downloads_for(project, client))


def download_client(transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    """Artifact downloads go to storage hosts: never send them an API key; redirects are
    followed by Downloads, hop by hop, each checked."""
    timeout = httpx.Timeout(60.0, connect=15.0)
    return httpx.AsyncClient(
        transport=transport, timeout=timeout, follow_redirects=False, verify=tls(transport)
    )


def tls(transport: httpx.AsyncBaseTransport | None) -> ssl.SSLContext | bool:
    """What a client verifies servers with: one context for every client of the process,
    as httpx makes it by default (certifi's certificates, or SSL_CERT_FILE / SSL_CERT_DIR).
    Each client would otherwise load the certificates again (some 30 ms each, before the
    first request); a given transport (a test's, the in-process sandbox) needs none."""
    return True if transport is not None else _shared_tls()


@functools.cache
def _shared_tls() -> ssl.SSLContext:
    return httpx.create_ssl_context(verify=True, trust_env=True)


def downloads_for(project: Project, client: httpx.AsyncClient) -> Downloads:
    """Downloads that trust, beyond public https, only the configured APIs' own origins."""
    trusted = [project.provider(name).base_url for name in DEFAULT_BASE_URLS]
    return Downloads(client, trusted)

"""URLs in manifests are fetched by the APIs' servers: https only, never an internal address.

Plans make no network calls, so names are not resolved; literal addresses (in any notation),
local names and non-https schemes are refused here, and the APIs are told only public URLs.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

LOCAL_SUFFIXES = (
    ".localhost",
    ".local",
    ".internal",
    ".intranet",
    ".lan",
    ".home.arpa",
    ".corp",
    ".private",
)


def problem(url: str) -> str | None:
    """Why ``url`` may not be sent to an API, or None when it may."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "is not a valid URL"
    if parts.scheme != "https":
        return "must be an https URL"
    if not host:
        return "has no host"
    if parts.username or parts.password:
        return "must not carry credentials"
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES):
        return f"points at a local network name ({host})"
    address = _address(host)
    if address is not None and not address.is_global:
        return f"points at a private, loopback or link-local address ({host})"
    return None


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    # Numeric hosts in the old notations (2130706433, 0x7f.1, 017700000001) reach IPs too;
    # inet_aton reads exactly those, without touching the network.
    if re.fullmatch(r"[0-9a-fx.]+", host, re.I) and host[-1:].isalnum():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None

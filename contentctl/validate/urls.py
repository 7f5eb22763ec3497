"""URLs that leave this machine: https only, never an internal address, however spelled.

One function decides, for every manifest field that takes a URL (the APIs' servers fetch
them) and for every hop of a download contentctl makes itself. Browsers, Node and most
fetchers (WHATWG URL parsers) normalise a host before they use it — backslashes read as
slashes, percent-escapes decoded, IDNA/UTS-46 mapping (fullwidth digits, ideographic full
stops, circled letters become ASCII), a trailing dot dropped, numbers in any notation read
as IPv4 — so the check normalises the same way first and then asks ``ipaddress``. Plans
make no network calls, so names are not resolved: single-label and local names are refused.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import unquote, urlsplit

import idna

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
    """Why ``url`` may not be sent to an API or fetched, or None when it may."""
    if any(ord(c) < 0x21 for c in url):
        return "contains spaces or control characters"
    try:
        # WHATWG reads "\" as "/" in http(s) URLs: "https://127.0.0.1\.example.com/" is
        # the host 127.0.0.1, not a name under example.com.
        parts = urlsplit(url.replace("\\", "/"))
        raw = parts.hostname
    except ValueError:
        return "is not a valid URL"
    if parts.scheme != "https":
        return "must be an https URL"
    if not raw:
        return "has no host"
    if parts.username or parts.password:
        return "must not carry credentials"
    host = normalised_host(raw)
    if host is None:
        return f"has a host that is not a valid name ({raw})"
    shown = host if host == raw else f"{raw}, read as {host}"
    address = _address(host)
    if address is not None:
        if not address.is_global:
            return f"points at a private, loopback or link-local address ({shown})"
        return None
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES):
        return f"points at a local network name ({shown})"
    if "." not in host:
        return f"has a single-label host, which only a local network resolves ({shown})"
    return None


def normalised_host(host: str) -> str | None:
    """The host as a WHATWG URL parser would use it; None when it is not a valid one."""
    if host.startswith("[") or ":" in host:
        return host.strip("[]").lower()  # IPv6: no mapping applies
    try:
        decoded = unquote(host, errors="strict")
        mapped = idna.uts46_remap(decoded, std3_rules=False, transitional=False)
    except (UnicodeError, idna.IDNAError, ValueError):
        return None
    return mapped.lower().rstrip(".") or None


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    # Numeric hosts in the old notations (2130706433, 0x7f.1, 017700000001, 127.1) reach
    # IPs too; inet_aton reads exactly those, without touching the network.
    if re.fullmatch(r"[0-9a-fx.]+", host, re.I) and host[-1:].isalnum():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None

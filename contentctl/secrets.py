"""The environment variables that hold secrets: read from the environment, never written.

``redact`` is the boundary for text that comes back from outside: an API that echoes a key
in an error message (or anywhere) has it replaced before the text is parsed, stored,
printed or written.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

POWERPOST_API_KEY = "POWERPOST_API_KEY"
POWERPOST_WORKSPACE_ID = "POWERPOST_WORKSPACE_ID"
POSTNITRO_API_KEY = "POSTNITRO_API_KEY"

# The token `contentctl github comment` uses: masked and redacted like the API keys.
GITHUB_TOKEN = "GITHUB_TOKEN"

SECRET_VARIABLES = (POWERPOST_API_KEY, POSTNITRO_API_KEY, GITHUB_TOKEN)

REDACTED = "[redacted]"
MIN_SECRET = 6  # shorter values would redact ordinary words


def forms(secret: str) -> set[str]:
    """A secret as it may come back: as is, URL-encoded, or in base64."""
    raw = secret.encode()
    found = {secret, quote(secret, safe=""), quote_plus(secret)}
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        found |= {encoded.decode(), encoded.decode().rstrip("=")}
    return {f for f in found if len(f) >= MIN_SECRET}


def redact(data: bytes, secrets: Iterable[str]) -> bytes:
    """``data`` with every form of every secret replaced."""
    for secret in secrets:
        if len(secret) < MIN_SECRET:
            continue
        for form in sorted(forms(secret), key=len, reverse=True):
            encoded = form.encode()
            if encoded in data:
                data = data.replace(encoded, REDACTED.encode())
    return data

"""How a sandbox behaves: its latency, balances, quotas, connected platforms, and the
faults it injects, from the environment (``CONTENTCTL_SANDBOX_*``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Faults:
    """Probabilities of injected faults, from ``CONTENTCTL_SANDBOX_FAULTS``."""

    rate_limit: float = 0.0
    server_error: float = 0.0
    job_failure: float = 0.0
    timeout: float = 0.0  # in-process only: a POST is processed, then its answer is lost
    retry_after: float = 1.0
    slow_files: float = 0.0  # seconds between the bytes of a stored file (a dripping host)
    echo_key: float = 0.0  # 1: error messages repeat the API key they received (careless APIs)
    seed: int | None = None

    @classmethod
    def parse(cls, text: str) -> Faults:
        """``rate_limit=0.2,server_error=0.1,job_failure=0.05,seed=7``."""
        values: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, _, raw = part.partition("=")
            key = key.strip()
            if key not in cls.__dataclass_fields__:
                raise ValueError(
                    f"unknown sandbox fault {key!r}; known: {', '.join(cls.__dataclass_fields__)}"
                )
            values[key] = int(raw) if key == "seed" else float(raw)
        return cls(**values)


@dataclass(frozen=True)
class SandboxSettings:
    latency: float = 1.0  # seconds from submission until a job is done
    faults: Faults = field(default_factory=Faults)
    powerpost_balance: float = 1000.0
    postnitro_credits: float = 250.0
    rate_limit: int = 60  # requests per minute per provider, announced in X-RateLimit-*
    connected: tuple[str, ...] = ("instagram", "tiktok", "youtube", "x", "facebook", "linkedin")
    postnitro_output: str = "current"  # or "legacy": base64 data and size as a string
    # AI images (generateImages) a month: PostNitro's separate quota, not slide credits.
    postnitro_image_quota: float = 100.0
    storage_quota: int = 10 * 1024**3  # bytes of PowerPost media per account

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SandboxSettings:
        return cls(
            latency=float(environ.get("CONTENTCTL_SANDBOX_LATENCY", "1.0")),
            faults=Faults.parse(environ.get("CONTENTCTL_SANDBOX_FAULTS", "")),
            powerpost_balance=float(environ.get("CONTENTCTL_SANDBOX_BALANCE", "1000")),
            postnitro_credits=float(environ.get("CONTENTCTL_SANDBOX_POSTNITRO_CREDITS", "250")),
            rate_limit=int(environ.get("CONTENTCTL_SANDBOX_RATE_LIMIT", "600")),
            connected=tuple(
                p.strip()
                for p in environ.get("CONTENTCTL_SANDBOX_CONNECTED", ",".join(cls.connected)).split(
                    ","
                )
                if p.strip()
            ),
            postnitro_output=environ.get("CONTENTCTL_SANDBOX_POSTNITRO_OUTPUT", "current"),
            postnitro_image_quota=float(
                environ.get("CONTENTCTL_SANDBOX_POSTNITRO_IMAGE_QUOTA", "100")
            ),
            storage_quota=int(environ.get("CONTENTCTL_SANDBOX_STORAGE_QUOTA", str(10 * 1024**3))),
        )

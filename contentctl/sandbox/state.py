"""The sandbox's "remote" state, persisted under ``.contentctl/sandbox`` in the project.

Consecutive commands see the same remote. Time comes from an injectable clock with a
persisted offset, so tests move it forward instead of sleeping.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POWERPOST_KEY = "pp_live_sk_sandbox"
POWERPOST_DRAFT_KEY = "pp_live_sk_sandbox_draft"  # a "Draft only" key: cannot publish
POWERPOST_WORKSPACE = "ws_sandbox"
POSTNITRO_KEY = "pn_sandbox_key"


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


class SandboxState:
    """Everything both emulated APIs know, plus the request log tests read."""

    def __init__(
        self,
        directory: Path,
        settings: SandboxSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.settings = settings or SandboxSettings()
        self._clock = clock
        self.rng = random.Random(self.settings.faults.seed)
        self.state_file = directory / "state.json"
        self.log_file = directory / "requests.jsonl"
        self.files_dir = directory / "files"
        self.data = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.state_file.read_text(encoding="utf-8"))
            return data
        except (FileNotFoundError, ValueError):
            return {
                "clock_offset": 0.0,
                "powerpost": {
                    "balance": self.settings.powerpost_balance,
                    "media": {},
                    "generations": {},
                    "images": {},
                    "posts": {},
                    "connected": list(self.settings.connected),
                },
                "postnitro": {
                    "credits_left": self.settings.postnitro_credits,
                    "templates": _seed_templates(),
                    "brands": _seed_brands(),
                    "presets": _seed_presets(),
                    "social_accounts": _seed_accounts(),
                    "schedules": {},
                    "posts": {},
                },
            }

    @property
    def powerpost(self) -> dict[str, Any]:
        return self.data["powerpost"]  # type: ignore[no-any-return]

    @property
    def postnitro(self) -> dict[str, Any]:
        return self.data["postnitro"]  # type: ignore[no-any-return]

    def now(self) -> float:
        return self._clock() + float(self.data.get("clock_offset", 0.0))

    def advance(self, seconds: float) -> None:
        """Move the sandbox's clock forward (tests use this instead of sleeping)."""
        self.data["clock_offset"] = float(self.data.get("clock_offset", 0.0)) + seconds
        self.save()

    def new_id(self, prefix: str = "") -> str:
        return prefix + str(uuid.uuid4())

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        # Compact: the C encoder, since this runs after every request.
        tmp.write_text(json.dumps(self.data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.state_file)

    def log(self, entry: Mapping[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"time": self.now(), **entry}, sort_keys=True) + "\n")

    def requests(self) -> list[dict[str, Any]]:
        return read_log(self.log_file)

    def chance(self, probability: float) -> bool:
        return probability > 0 and self.rng.random() < probability


def read_log(path: Path) -> list[dict[str, Any]]:
    """The request log: one entry per request, in order."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:  # the last line of a process killed while writing it
            continue
    return entries


def _seed_templates() -> list[dict[str, Any]]:
    return [
        {
            "id": "tpl_bold_headlines",
            "name": "Bold Headlines",
            "size": "1080x1350",
            "colors": ["#101828", "#F5B700"],
        },
        {
            "id": "tpl_minimal_light",
            "name": "Minimal Light",
            "size": "1080x1080",
            "colors": ["#F8FAFC", "#2563EB"],
        },
        {
            "id": "tpl_gradient_pop",
            "name": "Gradient Pop",
            "size": "1080x1350",
            "colors": ["#4C1D95", "#F472B6"],
        },
    ]


def _seed_brands() -> list[dict[str, Any]]:
    return [
        {
            "id": "brand_acme",
            "name": "Acme",
            "image": "https://example.com/acme.png",
            "handle": "@acme",
            "isCompanyDetail": False,
            "showName": True,
            "showHandle": True,
            "showImage": False,
        }
    ]


def _seed_presets() -> list[dict[str, Any]]:
    return [
        {
            "id": "preset_123",
            "socialPlatform": "linkedin",
            "tone": "professional",
            "audience": "founders",
            "language": "en",
            "slides": 5,
            "model": "sandbox-writer",
        },
        {
            "id": "preset_short",
            "socialPlatform": "instagram",
            "tone": "playful",
            "audience": "consumers",
            "language": "en",
            "slides": 3,
            "model": "sandbox-writer",
        },
    ]


def _seed_accounts() -> list[dict[str, Any]]:
    def account(key: str, platform: str, handle: str, kind: str) -> dict[str, Any]:
        return {
            "id": f"acct_{key}",
            "platformType": platform,
            "accountHandle": handle,
            "accountType": kind,
            "accountName": "Acme",
            "accountLogo": "https://example.com/acme.png",
            "accessTokenStatus": "active",
            "organizationId": "org_sandbox",
            "workspaceId": "ws_sandbox",
            "tokenExpiresAt": "2027-12-31T00:00:00.000Z",
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
        }

    return [
        account("linkedin_acme", "linkedin", "acme-co", "organization"),
        account("instagram_acme", "instagram", "acme", "business"),
        account("tiktok_acme", "tiktok", "acme.app", "personal"),
    ]

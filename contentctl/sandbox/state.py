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
from pathlib import Path
from typing import Any

from contentctl.sandbox import seed
from contentctl.sandbox.settings import SandboxSettings


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
                    "templates": seed.templates(),
                    "brands": seed.brands(),
                    "presets": seed.presets(),
                    "social_accounts": seed.social_accounts(),
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

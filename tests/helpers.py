"""Helpers shared by the tests: a project copy driven through the CLI, the sandbox's log."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from contentctl.cli import cli
from contentctl.sandbox import read_log

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Project:
    """A copy of an example project in a temporary folder, driven through the CLI."""

    root: Path
    env: dict[str, str]

    def run(self, *args: str, sandbox: bool = True, env: dict[str, str] | None = None) -> Result:
        argv = ["-C", str(self.root), *(["--sandbox"] if sandbox else []), *args]
        return CliRunner().invoke(
            cli, argv, env={**self.env, **(env or {})}, catch_exceptions=False
        )

    def requests(self) -> list[dict[str, Any]]:
        return read_log(self.root / ".contentctl" / "sandbox" / "requests.jsonl")

    def calls(self, method: str, path: str, since: int = 0) -> list[dict[str, Any]]:
        return [
            r for r in self.requests()[since:] if r["method"] == method and r.get("route") == path
        ]

    @property
    def lockfile(self) -> Path:
        return self.root / "contentctl.lock"

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def copy_example(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(
        EXAMPLES / name,
        target,
        ignore=shutil.ignore_patterns(".contentctl", "out", "contentctl.lock"),
    )
    return target

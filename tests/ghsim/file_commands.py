"""The files a step writes to talk to the runner: GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH,
GITHUB_STEP_SUMMARY. A new set for every step, read when the step ends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

NAMES = ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")


@dataclass(frozen=True)
class FileCommands:
    files: dict[str, Path]

    @classmethod
    def create(cls, folder: Path) -> FileCommands:
        folder.mkdir(parents=True, exist_ok=True)
        files = {name: folder / f"{name.lower()}_{uuid.uuid4()}" for name in NAMES}
        for path in files.values():
            path.write_text("")
        return cls(files)

    def environ(self) -> dict[str, str]:
        return {name: str(path) for name, path in self.files.items()}

    def variables(self) -> dict[str, str]:
        return parse_key_values(self.files["GITHUB_ENV"].read_text())

    def outputs(self) -> dict[str, str]:
        return parse_key_values(self.files["GITHUB_OUTPUT"].read_text())

    def paths(self) -> list[str]:
        lines = self.files["GITHUB_PATH"].read_text().splitlines()
        return [line.strip() for line in lines if line.strip()]

    def summary(self) -> str:
        return self.files["GITHUB_STEP_SUMMARY"].read_text()


def parse_key_values(text: str) -> dict[str, str]:
    """GITHUB_ENV / GITHUB_OUTPUT lines: ``NAME=value``, or ``NAME<<DELIMITER`` ... DELIMITER."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            try:
                end = lines.index(delimiter, i + 1)
            except ValueError:
                raise ValueError(f"matching delimiter not found {delimiter!r}") from None
            values[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if "=" not in line:
            raise ValueError(f"invalid format {line!r}")
        name, value = line.split("=", 1)
        values[name] = value
        i += 1
    return values

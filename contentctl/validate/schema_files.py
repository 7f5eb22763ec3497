"""The JSON Schemas shipped with the package: where they are, and each read once."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any


def schema_dir() -> Path:
    """The schemas shipped inside the package, or the repository's when run from source."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "schemas"
    return installed if installed.is_dir() else here.parent / "schemas"


@functools.cache
def schema_names() -> tuple[str, ...]:
    """Every schema's file name, in order."""
    return tuple(sorted(path.name for path in schema_dir().glob("*.schema.json")))


@functools.cache
def load_schema(filename: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((schema_dir() / filename).read_text(encoding="utf-8"))
    return data

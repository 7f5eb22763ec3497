"""Diagnostics in the formats `validate --format` offers: json, and GitHub annotations.

GitHub workflow commands: in the message ``%``, CR and LF are escaped; in properties also
``:`` and ``,``. Escaped manifest text cannot start a ``::command::`` of its own. GitHub
shows about 10 errors and 10 warnings per step, so a summary follows the annotations, and
attaches them to a pull request's files only by paths from the repository's top folder.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contentctl.model import Diagnostic

ANNOTATIONS_SHOWN = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def in_repository(file: str, folder: str) -> str:
    """A project file's path from the repository's top, given the project's ``folder`` there.

    Not a path (``--var``) or already absolute: unchanged."""
    if not folder or file.startswith("-") or posixpath.isabs(file):
        return file
    return posixpath.normpath(posixpath.join(folder, file))


def github(diagnostics: Sequence[Diagnostic], folder: str = "") -> str:
    """Annotations; ``folder`` is the project's folder in its repository ("" at the top)."""
    lines = []
    for d in diagnostics:
        where = [f"file={escape_property(in_repository(d.location.file, folder))}"]
        if d.location.line:
            where.append(f"line={d.location.line}")
        if d.location.col:
            where.append(f"col={d.location.col}")
        where.append(f"title={escape_property('contentctl validate')}")
        message = d.message + (f" (in {d.location.origin})" if d.location.origin else "")
        if d.hint:
            message += f"\nhint: {d.hint}"
        lines.append(f"::{d.severity} {','.join(where)}::{escape_data(message)}")
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    hidden = max(0, errors - ANNOTATIONS_SHOWN) + max(0, warnings - ANNOTATIONS_SHOWN)
    summary = f"contentctl validate: {errors} error(s), {warnings} warning(s)"
    if hidden:
        summary += (
            f"; GitHub shows about {ANNOTATIONS_SHOWN} of each per step, so "
            f"{hidden} are only in this log"
        )
    lines.append(summary)
    return "\n".join(lines) + "\n"


def as_json(diagnostics: Sequence[Diagnostic]) -> str:
    return (
        json.dumps(
            {
                "format_version": "1",
                "valid": not any(d.severity == "error" for d in diagnostics),
                "diagnostics": [
                    {
                        "severity": d.severity,
                        "file": d.location.file,
                        "line": d.location.line,
                        "col": d.location.col,
                        "origin": d.location.origin,
                        "message": d.message,
                        "path": "/" + "/".join(str(p) for p in d.json_path),
                        "hint": d.hint,
                    }
                    for d in diagnostics
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


FORMATS: dict[str, Callable[[Sequence[Diagnostic], str], str]] = {
    "json": lambda diagnostics, _folder: as_json(diagnostics),
    "github": github,
}

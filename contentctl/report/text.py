"""Human-readable output, the basics every text report shares: colour when the terminal
takes it, diagnostics, credits. Plans are in plan_text, apply progress and its summary in
apply_text, the lockfile's records in records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from contentctl.model import Diagnostic


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if self.color and (fg or bold) else text


def diagnostics(items: Iterable[Diagnostic], style: Style) -> str:
    lines = []
    for d in items:
        label = style(d.severity, "red" if d.severity == "error" else "yellow", bold=True)
        origin = f" (in {d.location.origin})" if d.location.origin else ""
        lines.append(f"{d.location}: {label}: {d.message}{origin}")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return "\n".join(lines)


def credits_text(value: float) -> str:
    return f"{value:g} credit{'' if value == 1 else 's'}"

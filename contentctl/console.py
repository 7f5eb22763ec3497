"""Where the core's messages go. The core says what happened as it goes (a lockfile folded,
a commit made, a warning); the command line, the only place that prints, decides how."""

from __future__ import annotations

from typing import Protocol


class Console(Protocol):
    """Lines for the person running contentctl: ``say`` on stdout, ``warn`` on stderr."""

    def say(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...

"""Faithful emulation of PowerPost and PostNitro: the default for trying contentctl, and the
twin every test runs against. Never imports the pipeline.

The emulation (:class:`Sandbox`, :func:`build_app`: a web framework, an imaging library) is
imported on first use: a command that only needs the sandbox's address and credentials
(``contentctl.sandbox.endpoints``) does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contentctl.sandbox.endpoints import IN_PROCESS_ORIGIN
from contentctl.sandbox.settings import Faults, SandboxSettings
from contentctl.sandbox.state import SandboxState, read_log

if TYPE_CHECKING:
    from contentctl.sandbox.app import Sandbox, build_app

__all__ = [
    "IN_PROCESS_ORIGIN",
    "Faults",
    "Sandbox",
    "SandboxSettings",
    "SandboxState",
    "build_app",
    "read_log",
]


def __getattr__(name: str) -> Any:
    if name in ("Sandbox", "build_app"):
        from contentctl.sandbox import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

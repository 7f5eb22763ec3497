"""Faithful emulation of PowerPost and PostNitro: the default for trying contentctl, and the
twin every test runs against. Never imports the pipeline."""

from contentctl.sandbox.app import IN_PROCESS_ORIGIN, Sandbox, build_app
from contentctl.sandbox.state import Faults, SandboxSettings, SandboxState, read_log

__all__ = [
    "IN_PROCESS_ORIGIN",
    "Faults",
    "Sandbox",
    "SandboxSettings",
    "SandboxState",
    "build_app",
    "read_log",
]

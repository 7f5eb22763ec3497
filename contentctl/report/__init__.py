"""Reporters: turn plans, events and diagnostics into text. Only these and the CLI print."""

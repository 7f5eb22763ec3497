"""``--debug`` logging, with a redaction layer: no secret value can reach a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import click

REDACTED = "[redacted]"


class Redact(logging.Filter):
    """Replaces every secret value in a formatted record, whatever logged it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, REDACTED)
        record.msg, record.args = message, None
        return True


class _ClickHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def configure(debug: bool, secrets: Iterable[str] = ()) -> None:
    """With ``debug``, send contentctl's log to stderr, secrets redacted; else keep it quiet.

    Called on every invocation, so nothing carries over between runs in one process.
    """
    logger = logging.getLogger("contentctl")
    for old in list(logger.handlers):
        if isinstance(old, _ClickHandler):
            logger.removeHandler(old)
    if not debug:
        logger.setLevel(logging.NOTSET)
        return
    handler = _ClickHandler()
    handler.addFilter(Redact(secrets))
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

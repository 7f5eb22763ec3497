"""Output that survives its reader going away (`contentctl apply | head`)."""

from __future__ import annotations

import os
from typing import Any


class ClosedPipeTolerant:
    """sys.stdout or sys.stderr, for a reader that may go away (`contentctl apply | head`).

    Once the reader has gone, output is dropped and the command carries on: an apply must
    never stop half-way because nobody reads it any more, and it exits with its own status,
    without a word about the pipe (the shell's convention)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._closed = False

    def write(self, text: str) -> int:
        if not self._closed:
            try:
                return int(self._stream.write(text))
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self._closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        self._closed = True
        # What is still buffered goes nowhere, also when Python flushes it at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        except (OSError, ValueError):
            pass
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

"""A program run in a pseudo-terminal, as a person runs it: ``apply`` only asks for approval
when its input is a terminal."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


class Terminal:
    """``argv`` with a pty as stdin, stdout and stderr; everything it prints goes to ``log``."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], log: Path) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.log = log
        self.output = bytearray()
        self.changed = threading.Condition()
        self.process: subprocess.Popen[bytes] | None = None
        self.master = -1
        self.reader: threading.Thread | None = None

    def __enter__(self) -> Terminal:
        self.master, slave = os.openpty()
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.reader = threading.Thread(target=self._read, name=f"terminal-{self.process.pid}")
        self.reader.start()
        return self

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready:
                if self.process is not None and self.process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the other end is closed
                break
            if not chunk:
                break
            with self.changed:
                self.output.extend(chunk)
                self.changed.notify_all()
        self.log.write_bytes(bytes(self.output))

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def wait_for(self, text: str, deadline: float) -> None:
        limit = time.monotonic() + deadline
        with self.changed:
            while text not in self.text:
                left = limit - time.monotonic()
                if left <= 0 or (self.process is not None and self.process.poll() is not None):
                    raise TimeoutError(f"{text!r} never appeared; got:\n{self.text[-2000:]}")
                self.changed.wait(min(left, 0.5))

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self, deadline: float) -> int:
        assert self.process is not None
        return self.process.wait(deadline)

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if self.reader is not None:
            self.reader.join(10)
        with contextlib.suppress(OSError):
            os.close(self.master)

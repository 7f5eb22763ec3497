"""``contentctl.lock`` and its journal on disk, as a writer keeps them: the file rewritten
(which folds the journal in), lines appended to the journal, and what each holds, so that the
writer knows when to compact."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from contentctl.errors import LockfileError
from contentctl.lockfile.durable import append_durably, write_atomic, write_error
from contentctl.lockfile.journal import journal_lines, journal_path
from contentctl.lockfile.read import read
from contentctl.lockfile.records import Lockfile, ResourceRecord
from contentctl.lockfile.text import Encoder, dumps


def compact(path: Path) -> bool:
    """Fold a journal left next to the lockfile at ``path`` into it; False: there was none.
    Call it holding the lease."""
    journal = journal_path(path)
    if not journal.exists():
        return False
    try:
        write_atomic(path, dumps(read(path).to_json()))
        os.unlink(journal)
    except OSError as exc:
        raise write_error(path, exc) from exc
    return True


class LockfileFiles:
    """The lockfile at ``path``, and its journal when ``journal`` (else it is only deleted).
    A write that fails returns its error: what to do about it is the writer's to decide."""

    def __init__(self, path: Path, *, journal: bool, clock: Callable[[], float]) -> None:
        self.path = path
        self.journal = journal_path(path) if journal else None
        self._clock = clock
        self._encoder = Encoder()
        self.journalled = 0  # bytes in the journal since the lockfile was last written
        self.journal_lines = 0
        self.file_size = 0  # of contentctl.lock as last written
        self.last_append = clock()
        self.written = False  # contentctl.lock was written once

    def text(self, lock: Lockfile) -> str:
        """``lock`` as it would be written."""
        return self._encoder.text(lock)

    def write(self, lock: Lockfile) -> LockfileError | None:
        """Replace the lockfile with ``lock``, and drop the journal it now holds."""
        try:
            size = write_atomic(self.path, self._encoder.chunks(lock))
        except OSError as exc:
            return write_error(self.path, exc)
        self.written = True
        self.file_size = size
        self.journalled = 0
        self.journal_lines = 0
        # What the journal held is in the file now (replaying it again would change nothing).
        with contextlib.suppress(OSError):
            os.unlink(journal_path(self.path))
        return None

    def append(
        self,
        lock: Lockfile,
        serial: int,
        changes: Mapping[str, ResourceRecord | None],
        *,
        target: bool,
    ) -> LockfileError | None:
        """Append ``changes`` to ``lock`` (and its target, when ``target``) to the journal."""
        assert self.journal is not None
        first = not self.journal_lines
        data = journal_lines(lock, serial, changes, target=target, head=first)
        try:
            append_durably(self.journal, data, create=first)
        except OSError as exc:
            return write_error(self.path, exc)
        self.journalled += len(data)
        self.journal_lines += 1
        self.last_append = self._clock()
        return None

    def quiet_for(self) -> float:
        """Seconds since the last line was appended (or since these files were opened)."""
        return self._clock() - self.last_append

"""The lockfile a command holds while it changes records, every change made durable at once:
a line appended to the journal (apply) or the file rewritten."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Container, Mapping
from dataclasses import replace
from pathlib import Path

from contentctl.errors import LockfileError
from contentctl.lockfile.files import LockfileFiles
from contentctl.lockfile.records import Lockfile, ResourceRecord
from contentctl.lockfile.remote_ids import RemoteIds


class LockfileStore:
    """Holds the current lockfile and persists every change at once.

    The serial goes up only when content changes, so a no-op apply writes nothing.

    A *strict* write (the record made before a request goes out) raises when it cannot
    be written and changes nothing: the request is then not sent. Any other write keeps
    its record in memory when the disk refuses it (the remote object exists: it must
    not be forgotten), remembers the error in ``unsaved``, and is retried by every later
    write and by :meth:`flush`.

    With ``journal`` (apply), a change is a line appended to the journal and fsync'd; before
    the first one, ``contentctl.lock`` is written again as it stands (so a lockfile that
    cannot be written stops the apply before anything is sent), and :meth:`flush` compacts
    the journal into it. Without, every change rewrites the file (and drops any journal
    its records came from).
    """

    # A journal is compacted once it holds as many bytes as the lockfile (so compactions
    # cost at most what the journal itself did), and not before it holds this many.
    MIN_COMPACT_BYTES = 256 * 1024
    QUIET_SECONDS = 2.0  # with the apply this long quiet, the lockfile is brought up to date

    def __init__(
        self,
        path: Path,
        lockfile: Lockfile,
        *,
        journal: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        if not lockfile.exists:
            lockfile = replace(lockfile, lineage=str(uuid.uuid4()), serial=0)
        self._resources = dict(lockfile.resources)  # the writer's own: changed in place
        # The lockfile as it stands; its records are live (they change as changes are
        # recorded): copy them to keep a moment's state.
        self.current = replace(lockfile, resources=self._resources)
        self.unsaved: LockfileError | None = None
        self._files = LockfileFiles(path, journal=journal, clock=clock)
        self._appended_target = self.current.target
        self._ids: RemoteIds | None = None

    def remote_ids(self, step: str) -> Container[str]:
        """The remote ids that records of ``step`` hold, across every resource (kept up to
        date as records change: asking costs nothing however many resources there are)."""
        if self._ids is None:
            self._ids = RemoteIds(self._resources.values())
        return self._ids.of(step)

    def text(self) -> str:
        """The lockfile as it stands in memory, as it would be written."""
        return self._files.text(self.current)

    def flush(self) -> None:
        """Write what only memory (or the journal) holds into the lockfile; raises if it
        still fails (the journal, if any, keeps its records)."""
        if self.unsaved is not None or self._files.journal_lines:
            self.unsaved = self._files.write(self.current)
            if self.unsaved is not None:
                raise self.unsaved

    def compact_if_quiet(self) -> None:
        """Bring the lockfile up to date when nothing was recorded for a moment, so that
        it shows what runs while an apply waits on long jobs."""
        if self._files.journal_lines and self._files.quiet_for() >= self.QUIET_SECONDS:
            self._files.write(self.current)  # a failure leaves the journal, which has it all

    def _change(
        self, changes: Mapping[str, ResourceRecord | None], *, strict: bool = False
    ) -> None:
        """Persist ``changes`` (address -> record, None: gone) and the target set since."""
        current = self.current.resources
        if (
            all(current.get(a) == r for a, r in changes.items())
            and self.current.target == self._appended_target
            and self.unsaved is None
        ):
            return
        serial = self.current.serial + 1
        before = {a: current.get(a) for a in changes}
        files = self._files
        if files.journal is not None and self.unsaved is None:
            # The journal starts from the lockfile as it stands, written again: one that
            # cannot be written stops the apply here, before anything is sent.
            failed = None if files.written else files.write(self.current)
            target = self.current.target != self._appended_target
            failed = failed or files.append(self.current, serial, changes, target=target)
            if failed is not None and strict:
                raise failed  # nothing changes
            # The writer's own mapping, changed in place: a step costs the same in a
            # lockfile of ten resources or ten thousand.
            resources = self._resources
        else:
            resources = dict(current)
        for address, record in changes.items():
            if record is None:
                resources.pop(address, None)
            else:
                resources[address] = record
        candidate = replace(self.current, resources=resources, serial=serial, exists=True)
        if resources is not self._resources:
            failed = files.write(candidate)
            if failed is not None and strict:
                raise failed  # nothing changes
            self._resources = resources
        if self._ids is not None:
            for address, record in changes.items():
                self._ids.count(before[address], -1)
                self._ids.count(record, 1)
        self.current = candidate
        self._appended_target = candidate.target
        self.unsaved = failed
        if failed is None and files.journalled >= max(files.file_size, self.MIN_COMPACT_BYTES):
            files.write(candidate)  # a failure leaves the journal, which has it all

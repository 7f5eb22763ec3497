"""Which remote ids the records of each step hold, across every resource: counted once, then
kept up to date as records change, so asking costs nothing however many resources there are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable

from contentctl.lockfile.records import ResourceRecord


class RemoteIds:
    def __init__(self, records: Iterable[ResourceRecord]) -> None:
        self._counts: dict[str, Counter[str]] = {}  # step -> remote id -> records
        for record in records:
            self.count(record, 1)

    def of(self, step: str) -> Container[str]:
        """The remote ids records of ``step`` hold (a live view: it follows later changes)."""
        return _Ids(self._counts.setdefault(step, Counter()))

    def count(self, record: ResourceRecord | None, sign: int) -> None:
        """Count the ids of ``record`` in (``sign`` 1) or out (-1)."""
        for name, step in record.steps.items() if record is not None else ():
            counts = self._counts.setdefault(name, Counter())
            key = step.remote_id or ""
            counts[key] += sign
            if counts[key] <= 0:
                del counts[key]


class _Ids(Container[str]):
    def __init__(self, counts: Counter[str]) -> None:
        self._counts = counts

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self._counts.get(value, 0) > 0

"""Drift: read-only comparison of the lockfile with what the APIs say now.

Kept apart from plans on purpose: a plan is about the manifests, drift about the remote.
What each kind's objects can drift in is its kind's business (``Kind.drift``).
"""

from __future__ import annotations

from dataclasses import dataclass

from contentctl.kinds import KINDS
from contentctl.lockfile.records import Lockfile, ResourceRecord
from contentctl.providers import Providers


@dataclass(frozen=True)
class Drift:
    address: str
    message: str


async def detect(lock: Lockfile, providers: Providers) -> list[Drift]:
    found: list[Drift] = []
    for address, record in sorted(lock.resources.items()):
        found.extend(Drift(address, m) for m in _pending(record))
        kind = KINDS.get(record.kind)
        if kind is not None and kind.drift is not None:
            async for message in kind.drift(address, record, providers):
                found.append(Drift(address, message))
    return found


def _pending(record: ResourceRecord) -> list[str]:
    return [
        f"{name}: job {step.remote_id} was submitted and not collected; apply collects it"
        for name, step in record.steps.items()
        if step.status == "pending" and step.remote_id
    ]

"""The paid results a branch's commits recorded (its takes), read from the lockfile of each
commit: what the pull request comment counts as spent in this pull request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contentctl.lockfile.records import Lockfile


@dataclass(frozen=True)
class Take:
    """One paid result a commit of the branch recorded: a step's new remote object."""

    commit: str
    address: str
    step: str
    remote_id: str
    credits: float


def takes(versions: Sequence[tuple[str, Lockfile]], base: Lockfile | None = None) -> list[Take]:
    """The paid results the branch's commits added, oldest first. ``versions`` start with
    the lockfile where the branch began; ids the base branch has now (``base``) are its own
    records, merged in, not this branch's."""
    if not versions:
        return []
    known = _ids(versions[0][1]) | (_ids(base) if base is not None else set())
    found: list[Take] = []
    for (_, _before), (commit, after) in pairwise(versions):
        for address, record in sorted(after.resources.items()):
            for name, step in record.steps.items():
                if not step.remote_id or step.remote_id in known or step.status != "completed":
                    continue
                known.add(step.remote_id)
                if step.credits_used:
                    found.append(Take(commit, address, name, step.remote_id, step.credits_used))
    return found


def _ids(lock: Lockfile) -> set[str]:
    return {s.remote_id for r in lock.resources.values() for s in r.steps.values() if s.remote_id}

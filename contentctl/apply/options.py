"""How an apply is approved and run, from its command line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Approval:
    """What approves an apply's plan, and what it may spend and publish."""

    saved: bool  # a saved plan was reviewed when it was made: it is not asked for again
    auto_approve: bool
    max_credits: float | None  # else spec.budget.max_credits
    allow_publish: bool


@dataclass(frozen=True)
class RunOptions:
    """How an approved plan runs, and what becomes of its lockfile."""

    parallelism: int | None
    resubmit_uncertain: bool
    no_wait: bool
    commit: bool
    push: bool
    checkpoint: bool

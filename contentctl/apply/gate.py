"""What must hold before an apply sends anything: no refused change, the budget, and an
explicit yes for publishing, which cannot be undone."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from contentctl.errors import ContentctlError

if TYPE_CHECKING:
    from contentctl.config import Project
    from contentctl.plan.diff import Plan


class Gate:
    """Checks a plan before it runs; asks (once per resource) before it publishes."""

    def __init__(self, limit: float | None, allowed: bool, ask: Callable[[str], None]) -> None:
        self.limit = limit
        self.allowed = allowed
        self.ask = ask  # raises unless publishing the named resources is approved
        self.asked: set[str] = set()

    @classmethod
    def of(
        cls,
        project: Project,
        max_credits: float | None,
        allow_publish: bool,
        ask: Callable[[str], None],
    ) -> Gate:
        """The gate of ``--max-credits`` (else spec.budget) and ``--allow-publish``."""
        # In the reviewed mode the pull request's review is the approval to publish: the plan
        # publishes only content generated before this run (held back otherwise).
        reviewed = project.publishing == "reviewed"
        limit = max_credits if max_credits is not None else project.max_credits
        return cls(limit, allow_publish or project.allow_publish or reviewed, ask)

    def check(self, the_plan: Plan) -> None:
        if the_plan.blocked:
            ways = dict.fromkeys(c.unblock for c in the_plan.blocked if c.unblock)
            raise ContentctlError(
                "the plan contains changes that are refused (see above)",
                hint="; ".join(ways) or None,
            )
        if self.limit is not None and the_plan.credits > self.limit:
            raise ContentctlError(
                f"the plan is estimated at {the_plan.credits:g} credits, over the budget of "
                f"{self.limit:g}",
                hint="apply part of it with --select, or raise --max-credits / "
                "spec.budget.max_credits",
            )

    def publishing(self, the_plan: Plan) -> None:
        """Publishing cannot be undone: say so, and get an explicit yes for it (once)."""
        names = [c.address for c in the_plan.publishes if c.address not in self.asked]
        if not names or self.allowed:
            return
        self.ask(", ".join(names))
        self.asked.update(names)

"""Planning: step hashes against the lockfile, credit estimates, the plan itself."""

from contentctl.plan.diff import Plan, ResourceChange, StepChange, make_plan
from contentctl.plan.reasons import Why

__all__ = ["Plan", "ResourceChange", "StepChange", "Why", "make_plan"]

"""The reasons a planned step runs, as values code can test."""

from __future__ import annotations

from enum import Enum


class Why(str, Enum):
    """Why a step runs, resumes or is kept: what code decides on. The message beside it
    (StepChange.reason) is for people and may be reworded freely."""

    NEW = "new"
    FAILED = "failed"  # its previous attempt failed
    AFTER = "after"  # waits for an upstream step's new result
    IMPORTED = "imported"  # adopted by import: the manifest is sent to it once
    CHANGED = "changed"
    PENDING = "pending"  # a submitted job to collect
    SUBMITTING = "submitting"  # an interrupted submission to reconcile
    UNCHANGED = "unchanged"
    FORCED = "forced"  # apply --replace
    FINISHING_REPLACE = "finishing-replace"  # an interrupted --replace

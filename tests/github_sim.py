"""A GitHub Actions simulation for contentctl's workflows: the repository on "GitHub" (a bare
remote, with pull requests), the runner (``run_job``: steps, file commands, expressions,
events, artifacts across runs, cancellation, the runner dying), GitHub's REST API for
comments, the APIs served over HTTP with an outage switch, and the damage counters.

Importable from the tests (``pythonpath = ["tests"]``) and from benchmarks/ (put tests/ on
``sys.path`` first). The pieces live in ``ghsim/``; this module is their public face.
"""

from __future__ import annotations

from ghsim.actions import find_files
from ghsim.damage import Damage, accepted_jobs, assess, unreadable
from ghsim.expressions import Contexts, ExpressionError, condition, evaluate, interpolate
from ghsim.file_commands import parse_key_values
from ghsim.github_api import FakeGitHub, Recorded
from ghsim.jobs import matrix_of
from ghsim.processes import Cancellation
from ghsim.project import (
    COMMENT_WORKFLOW,
    GENERATE_WORKFLOW,
    WORKFLOW,
    content_project,
    extra_manifest,
    scaffold,
)
from ghsim.proxy import OutageProxy
from ghsim.remote import (
    BareRemote,
    PullRequest,
    git,
    merge_pull_request,
    push_pull_request,
    push_with_rebase,
)
from ghsim.results import JobResult, StepResult
from ghsim.runner import Moment, run_job, workspace_for
from ghsim.served import ServedSandbox, free_port
from ghsim.workflow import Job, Step, Workflow, WorkflowError

__all__ = [
    "COMMENT_WORKFLOW",
    "GENERATE_WORKFLOW",
    "WORKFLOW",
    "BareRemote",
    "Cancellation",
    "Contexts",
    "Damage",
    "ExpressionError",
    "FakeGitHub",
    "Job",
    "JobResult",
    "Moment",
    "OutageProxy",
    "PullRequest",
    "Recorded",
    "ServedSandbox",
    "Step",
    "StepResult",
    "Workflow",
    "WorkflowError",
    "accepted_jobs",
    "assess",
    "condition",
    "content_project",
    "evaluate",
    "extra_manifest",
    "find_files",
    "free_port",
    "git",
    "interpolate",
    "matrix_of",
    "merge_pull_request",
    "parse_key_values",
    "push_pull_request",
    "push_with_rebase",
    "run_job",
    "scaffold",
    "unreadable",
    "workspace_for",
]

"""A workflow's jobs run as GitHub runs them: ``strategy.matrix`` expanded into one job per
entry, each given its ``matrix`` context, and the results of the jobs it needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ghsim.expressions import Contexts, ExpressionError, evaluate
from ghsim.results import JobResult
from ghsim.workflow import EMBEDDED_WHOLE, Workflow, WorkflowError

MAX_JOBS = 256  # GitHub: a matrix generates at most 256 jobs per workflow run


def matrix_of(
    workflow: Workflow, job: str, needs: Mapping[str, JobResult] | None = None
) -> list[dict[str, Any]]:
    """The entries of ``job``'s matrix, in order. Simulated: ``include`` lists, written out or
    given whole by an expression (``${{ fromJSON(needs.detect.outputs.matrix) }}``), as GitHub
    reads them; a matrix that makes no job fails the run, as on GitHub."""
    declared = workflow.job(job).matrix
    if declared is None:
        raise WorkflowError(f"job {job} has no strategy.matrix")
    if isinstance(declared, str):
        whole = EMBEDDED_WHOLE.fullmatch(declared.strip())
        if not whole:
            raise WorkflowError(f"job {job}: strategy.matrix {declared!r} is not one expression")
        contexts = Contexts(
            needs={
                name: {"result": done.status, "outputs": dict(done.outputs)}
                for name, done in (needs or {}).items()
            }
        )
        declared = evaluate(whole.group(1), contexts)
    if not isinstance(declared, Mapping) or set(declared) != {"include"}:
        raise ExpressionError(f"job {job}: only include-only matrices are simulated: {declared!r}")
    include = declared["include"]
    if not isinstance(include, list) or not include:
        raise WorkflowError(f"job {job}: Matrix vector 'include' does not contain any values")
    if len(include) > MAX_JOBS:
        raise WorkflowError(f"job {job}: a matrix may not generate more than {MAX_JOBS} jobs")
    for entry in include:
        if not isinstance(entry, Mapping) or not all(
            isinstance(v, (str, int, float, bool)) for v in entry.values()
        ):
            raise WorkflowError(f"job {job}: matrix entry {entry!r} is not a map of values")
    return [dict(e) for e in include]

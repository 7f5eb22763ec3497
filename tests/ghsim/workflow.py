"""A workflow file read the way the runner reads it: jobs, and each job's steps in order."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EMBEDDED_WHOLE = re.compile(r"\$\{\{(.*)\}\}", re.S)

STEP_KEYS = {
    "name",
    "id",
    "uses",
    "run",
    "with",
    "env",
    "if",
    "shell",
    "working-directory",
    "continue-on-error",
    "timeout-minutes",
}


class WorkflowError(Exception):
    """A workflow this simulator cannot run faithfully."""


@dataclass(frozen=True)
class Step:
    index: int
    name: str | None = None
    id: str | None = None
    uses: str | None = None
    run: str | None = None
    with_: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, Any] = field(default_factory=dict)
    if_: str | bool | None = None
    shell: str | None = None
    working_directory: str | None = None
    continue_on_error: bool = False
    timeout_minutes: float | None = None

    @property
    def title(self) -> str:
        """The name GitHub shows: ``name``, else ``Run <first line>`` or ``Run <action>``."""
        if self.name:
            return self.name
        if self.uses:
            return f"Run {self.uses}"
        return f"Run {(self.run or '').strip().splitlines()[0]}"

    def matches(self, key: str) -> bool:
        return key in (self.name, self.id, self.title, str(self.index))


@dataclass(frozen=True)
class Job:
    id: str
    steps: tuple[Step, ...]
    if_: str | bool | None = None
    env: Mapping[str, Any] = field(default_factory=dict)
    shell: str | None = None  # defaults.run.shell
    # What its GITHUB_TOKEN may do: the job's permissions, else the workflow's.
    permissions: Mapping[str, str] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    outputs: Mapping[str, Any] = field(default_factory=dict)
    matrix: Any = None  # strategy.matrix, as written (see ghsim.jobs.matrix_of)
    environment: Any = None  # a name, or {name: ...}
    concurrency: Any = None  # a group, or {group: ..., cancel-in-progress: ...}

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.matches(key):
                return step
        raise WorkflowError(f"job {self.id} has no step {key!r}")


@dataclass(frozen=True)
class Workflow:
    path: Path | None
    jobs: Mapping[str, Job]
    env: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Workflow:
        return cls.parse(path.read_text(encoding="utf-8"), path)

    @classmethod
    def parse(cls, text: str, path: Path | None = None) -> Workflow:
        data = yaml.safe_load(text)
        if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
            raise WorkflowError(f"{path or 'workflow'}: no jobs")
        shell = ((data.get("defaults") or {}).get("run") or {}).get("shell")
        permissions = data.get("permissions")
        jobs = {name: _job(name, body, shell, permissions) for name, body in data["jobs"].items()}
        return cls(path, jobs, data.get("env") or {})

    def job(self, name: str) -> Job:
        if name not in self.jobs:
            raise WorkflowError(f"no job {name!r}; jobs: {', '.join(self.jobs)}")
        return self.jobs[name]


def _permissions(declared: Any) -> dict[str, str]:
    """A ``permissions:`` block as scope -> level; unset is GitHub's restricted default."""
    scopes = ("actions", "contents", "issues", "pull-requests", "checks", "statuses")
    if declared is None:
        return {"contents": "read", "actions": "read"}  # the repository's restricted default
    if declared in ("read-all", "write-all"):
        return dict.fromkeys(scopes, declared.split("-")[0])
    if not isinstance(declared, Mapping):
        raise WorkflowError(f"permissions: {declared!r} is not simulated")
    return {str(k): str(v) for k, v in declared.items()}


def _job(
    name: str, body: Mapping[str, Any], workflow_shell: str | None, workflow_permissions: Any
) -> Job:
    if "uses" in body or "services" in body or "container" in body:
        raise WorkflowError(f"job {name}: reusable workflows and containers are not simulated")
    strategy = body.get("strategy") or {}
    unknown_strategy = set(strategy) - {"matrix", "fail-fast", "max-parallel"}
    if unknown_strategy:
        raise WorkflowError(f"job {name}: strategy {sorted(unknown_strategy)} is not simulated")
    needs = body.get("needs") or ()
    steps = []
    for index, raw in enumerate(body.get("steps") or []):
        unknown = set(raw) - STEP_KEYS
        if unknown:
            raise WorkflowError(f"job {name} step {index}: unknown keys {sorted(unknown)}")
        if ("uses" in raw) == ("run" in raw):
            raise WorkflowError(f"job {name} step {index}: needs exactly one of uses and run")
        steps.append(
            Step(
                index=index,
                name=raw.get("name"),
                id=raw.get("id"),
                uses=raw.get("uses"),
                run=raw.get("run"),
                with_=raw.get("with") or {},
                env=raw.get("env") or {},
                if_=raw.get("if"),
                shell=raw.get("shell"),
                working_directory=raw.get("working-directory"),
                continue_on_error=bool(raw.get("continue-on-error", False)),
                timeout_minutes=raw.get("timeout-minutes"),
            )
        )
    job_shell = ((body.get("defaults") or {}).get("run") or {}).get("shell")
    declared = body.get("permissions", workflow_permissions)
    return Job(
        name,
        tuple(steps),
        body.get("if"),
        body.get("env") or {},
        job_shell or workflow_shell,
        _permissions(declared),
        (needs,) if isinstance(needs, str) else tuple(needs),
        body.get("outputs") or {},
        strategy.get("matrix"),
        body.get("environment"),
        body.get("concurrency"),
    )

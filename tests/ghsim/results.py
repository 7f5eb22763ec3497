"""What a job run leaves to look at: each step's conclusion, exit, signals, log and outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class StepResult:
    index: int
    title: str
    conclusion: str  # success, failure, cancelled, skipped
    exit_code: int | None = None
    signal: str | None = None  # the signal that ended the entry process
    duration: float = 0.0
    skipped_because: str | None = None
    simulated: str | None = None  # what the simulation did instead of the real thing
    notes: list[str] = field(default_factory=list)
    signals_sent: list[tuple[str, float]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""


@dataclass
class JobResult:
    job: str
    status: str  # success, failure, cancelled, runner-died, skipped
    steps: list[StepResult]
    workspace: Path
    artifacts: Path
    events: list[str] = field(default_factory=list)
    orphans_killed: list[str] = field(default_factory=list)
    fired: dict[str, bool] = field(default_factory=dict)  # each Moment: did it happen?
    outputs: dict[str, str] = field(default_factory=dict)  # the job's outputs: (needs.X.outputs)
    environment: str | None = None  # the GitHub Environment it ran in
    concurrency_group: str | None = None

    def step(self, key: str) -> StepResult:
        for step in self.steps:
            if key in (step.title, str(step.index)):
                return step
        raise KeyError(f"no step {key!r} in {[s.title for s in self.steps]}")

    @property
    def log(self) -> str:
        return "".join(f"## {s.title}\n{s.text()}" for s in self.steps)

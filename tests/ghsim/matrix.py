"""The kill matrix: the scaffolded apply job broken the ways real life breaks it, each break
followed by a second apply job on a new runner and a plan from a fresh clone, then the damage
counted from the API's side. Shared by benchmarks/kill_matrix.py and the acceptance test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ghsim.damage import Damage, assess
from ghsim.interactive import Terminal
from ghsim.processes import Cancellation
from ghsim.project import WORKFLOW, extra_manifest
from ghsim.proxy import OutageProxy
from ghsim.remote import BareRemote, git, push_with_rebase
from ghsim.results import JobResult
from ghsim.runner import Moment, run_job, workspace_for
from ghsim.served import ServedSandbox
from ghsim.workflow import Step, Workflow

CASES = ("baseline", "cancel", "push", "outage", "interactive", "death")
SECRETS = ("POWERPOST_API_KEY", "POWERPOST_WORKSPACE_ID", "POSTNITRO_API_KEY")
BASE_URLS = ("POWERPOST_BASE_URL", "POSTNITRO_BASE_URL")
CONTENTCTL = (sys.executable, "-m", "contentctl")
# Settings of this process that would point a client elsewhere (the in-process sandbox, other
# base URLs or keys): never passed on to the programs the cases run.
FOREIGN = ("CONTENTCTL_SANDBOX", "POWERPOST_", "POSTNITRO_")


def clean_environ(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
    return {**env, "NO_COLOR": "1", **extra}


@dataclass(frozen=True)
class Settings:
    faults: str = "rate_limit=0.3,server_error=0.3"
    latency: float = 2.0
    cancellation: Cancellation = field(default_factory=Cancellation)
    outage_seconds: float = 30.0
    workflow: Path | None = None  # None: the workflow contentctl init scaffolds
    venv_bin: Path = field(default_factory=lambda: Path(sys.executable).parent)


@dataclass
class CaseRun:
    case: str
    index: int
    moment: str
    fired: bool = False
    first: str = ""  # the broken job's status
    follow_up: str = ""
    plan_exit: int | None = None
    plan_left: list[str] = field(default_factory=list)  # steps a fresh clone still plans
    damage: Damage = field(default_factory=Damage)
    human: list[str] = field(default_factory=list)  # why a person was needed
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["damage"] = self.damage.to_json()
        return data


def apply_step(workflow: Workflow, job: str = "apply") -> Step:
    """The step of the job that runs ``contentctl apply``."""
    for step in workflow.job(job).steps:
        if step.run and "contentctl apply" in step.run:
            return step
    raise LookupError(f"no step of job {job} runs contentctl apply")


def pending_job(runner_root: Path) -> Callable[[], bool]:
    """True once the workspace lockfile records a paid job in flight (status ``pending``)."""
    path = workspace_for(runner_root) / "contentctl.lock"

    def check() -> bool:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return False
        return '"status": "pending"' in text

    return check


class Case:
    """One run of the matrix: its own remote, served API (behind a proxy) and runners."""

    def __init__(self, folder: Path, template: Path, settings: Settings, case: str, index: int):
        self.folder = folder
        self.settings = settings
        self.run = CaseRun(case, index, "")
        self.remote = BareRemote.seed(template, folder / "origin.git")
        workflow_path = settings.workflow or template / WORKFLOW
        self.workflow = Workflow.load(workflow_path)
        self.apply_step = apply_step(self.workflow)
        faults = settings.faults + (f",seed={index}" if "seed=" not in settings.faults else "")
        self.api = ServedSandbox(folder / "api", latency=settings.latency, faults=faults)
        self.proxy: OutageProxy | None = None
        self.runners = 0

    def __enter__(self) -> Case:
        self.api.start()
        try:
            self.proxy = OutageProxy(self.api.port)
        except BaseException:
            self.api.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        self.api.stop()

    @property
    def environ(self) -> dict[str, str]:
        assert self.proxy is not None
        return self.api.environ(self.proxy.origin)

    def runner(self) -> Path:
        self.runners += 1
        return self.folder / f"runner{self.runners}"

    def job(self, root: Path | None = None, **interrupt: Any) -> JobResult:
        """The workflow's apply job on a new runner, as after a push to main."""
        env = self.environ
        return run_job(
            self.workflow,
            "apply",
            remote=self.remote,
            runner_root=root or self.runner(),
            secrets={k: env[k] for k in SECRETS},
            machine_env={k: env[k] for k in BASE_URLS},
            venv_bin=self.settings.venv_bin,
            run_id=self.runners,
            cancellation=self.settings.cancellation,
            **interrupt,
        )

    def at(self, after: float | None, root: Path) -> Moment:
        """``after`` seconds into the apply step; None: once a paid job is in flight."""
        if after is None:
            self.run.moment = "a paid job in flight"
            return Moment(str(self.apply_step.index), when=pending_job(root))
        self.run.moment = f"{after:.1f}s into the apply step"
        return Moment(str(self.apply_step.index), after=after)

    def first(self, result: JobResult) -> None:
        self.run.first = result.status
        applied = [s for s in result.steps if s.index == self.apply_step.index]
        if applied:
            self.run.seconds["apply step"] = round(applied[0].duration, 2)
        self.run.fired = all(result.fired.values()) if result.fired else False
        log = result.log
        for step in result.steps:
            error = _traceback(step.text())
            if error:
                self.run.notes.append(f"first job: a traceback in {step.title!r}: {error}")
        for hint in _hints(log):
            self.run.notes.append(f"first job: {hint}")
        if result.orphans_killed:
            self.run.notes.append(
                f"first job: orphans killed at job end: {', '.join(result.orphans_killed)}"
            )
        self.first_result = result

    def judge(self) -> CaseRun:
        """A second apply job on a new runner, a plan from a fresh clone, and the count."""
        after_first = self.remote.show("contentctl.lock")
        follow = self.job()
        self.run.follow_up = follow.status
        if follow.status != "success":
            failed = [s for s in follow.steps if s.conclusion == "failure"]
            where = f"{failed[0].title} exited {failed[0].exit_code}" if failed else follow.status
            self.run.human.append(f"the follow-up apply failed ({where})")
        for hint in _hints(follow.log):
            self.run.notes.append(f"follow-up job: {hint}")
        if "--resubmit-uncertain" in follow.log:
            self.run.human.append("the follow-up apply asked for --resubmit-uncertain")
        self._plan()
        if self.run.plan_exit == 1 or self.run.plan_left:
            left = ", ".join(self.run.plan_left[:4]) or "an error"
            self.run.human.append(f"a fresh clone's plan did not converge ({left})")
        lockfiles = []
        if after_first is not None:
            lockfiles.append(("origin/main after the broken run", after_first))
        final = self.remote.show("contentctl.lock")
        if final is not None:
            lockfiles.append(("origin/main", final))
        for result in (getattr(self, "first_result", None), follow):
            if result is None:
                continue
            for path in sorted(result.artifacts.rglob("*.lock")):
                lockfiles.append(
                    (f"artifact {path.relative_to(result.artifacts)}", path.read_text())
                )
        self.run.damage = assess(self.api.state(), self.api.requests(), lockfiles)
        return self.run

    def _plan(self) -> None:
        """``plan --detailed-exitcode`` in a fresh clone. Carousel files live in out/, which
        is not committed, so every fresh clone plans to download them again (free): those
        steps are noted, not counted as a plan that did not converge."""
        clone = self.remote.clone(self.folder / "plan-clone")
        result = subprocess.run(
            [*CONTENTCTL, "-C", str(clone), "plan", "--detailed-exitcode", "--format", "json"],
            env=clean_environ(),
            capture_output=True,
            text=True,
            check=False,
        )
        self.run.plan_exit = result.returncode
        if result.returncode == 1:
            self.run.notes.append(f"plan failed: {result.stderr.strip()[-300:]}")
            return
        for change in json.loads(result.stdout)["changes"]:
            if not change["steps"] and change["action"] != "no-op":
                self.run.plan_left.append(f"{change['address']} {change['action']}")
            for step in change["steps"]:
                if step["action"] != "keep":
                    self.run.plan_left.append(f"{change['address']} {step['name']}")


def _traceback(log: str) -> str | None:
    """The exception line of the last Python traceback in a step's log."""
    marker = "Traceback (most recent call last):"
    if marker not in log:
        return None
    after = log.rsplit(marker, 1)[1].splitlines()[1:]
    ending = next((line for line in after if line and not line.startswith(" ")), "")
    return ending[:160]


def _hints(log: str, most: int = 2) -> list[str]:
    """What contentctl asked a person to do (its ``hint:`` lines), each once."""
    hints = dict.fromkeys(line.strip() for line in log.splitlines() if "hint: " in line)
    return list(hints)[:most]


# ---- the cases -------------------------------------------------------------------------


def baseline(case: Case, _after: float | None) -> None:
    case.run.moment = "no interruption"
    case.first(case.job())
    case.run.fired = True


def cancel(case: Case, after: float | None) -> None:
    root = case.runner()
    case.first(case.job(root, cancel_at=case.at(after, root)))


def competing_push(case: Case, after: float | None) -> None:
    """Another merged pull request lands on main during the apply: a new manifest, or (every
    other run) a manifest applied and its lockfile committed by someone else."""
    root = case.runner()
    name = f"extra{case.run.index}"
    lockfile_commit = case.run.index % 2 == 1
    env = case.environ

    def push() -> None:
        if not lockfile_commit:
            case.remote.push_change(
                case.folder / "other", {f"content/{name}.yaml": extra_manifest(name)}, "Add a post"
            )
            return
        other = case.remote.clone(case.folder / "other")
        (other / "content" / f"{name}.yaml").write_text(extra_manifest(name))
        git(other, "add", "-A")
        git(other, "commit", "--quiet", "-m", "Add a post")
        push_with_rebase(other)
        select = ["--select", f"post/{name}", "--commit", "--push"]
        subprocess.run(
            [*CONTENTCTL, "-C", str(other), "apply", "--auto-approve", *select],
            env=clean_environ(**env),
            capture_output=True,
            check=False,
        )

    kind = "a lockfile commit" if lockfile_commit else "a new manifest"
    case.first(case.job(root, during=[(case.at(after, root), push)]))
    case.run.moment += f", {kind}"


def outage(case: Case, after: float | None) -> None:
    assert case.proxy is not None
    proxy, seconds = case.proxy, case.settings.outage_seconds
    root = case.runner()
    case.first(case.job(root, during=[(case.at(after, root), lambda: proxy.outage(seconds))]))
    case.run.moment += f", {seconds:g}s outage"
    if not proxy.wait_up(seconds + 30):
        raise RuntimeError("the API did not come back after the outage")


def interactive(case: Case, _after: float | None) -> None:
    """Two people run ``contentctl apply`` in the same checkout; both see the plan, one says
    yes and it finishes, then the other says yes. The lockfile is then committed and pushed."""
    case.run.moment = "two prompts; yes to one, then to the other"
    laptop = case.remote.clone(case.folder / "laptop")
    env = {
        "PATH": f"{case.settings.venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(case.folder),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
        **case.environ,
    }
    argv = [*CONTENTCTL, "-C", str(laptop), "apply"]
    prompt = "Only 'yes' will be accepted"
    with (
        Terminal(argv, env, case.folder / "first.log") as first,
        Terminal(argv, env, case.folder / "second.log") as second,
    ):
        first.wait_for(prompt, 120)
        second.wait_for(prompt, 120)
        first.type("yes\n")
        codes = [first.wait(1800)]
        second.type("yes\n")
        codes.append(second.wait(1800))
    case.run.first = "exits " + ", ".join(map(str, codes))
    case.run.fired = True
    if (laptop / "contentctl.lock").exists():
        git(laptop, "add", "contentctl.lock")
        git(laptop, "commit", "--quiet", "-m", "Lockfile from two applies")
        push_with_rebase(laptop)


def death(case: Case, after: float | None) -> None:
    root = case.runner()
    case.first(case.job(root, die_at=case.at(after, root)))


RUNNERS: Mapping[str, Callable[[Case, float | None], None]] = {
    "baseline": baseline,
    "cancel": cancel,
    "push": competing_push,
    "outage": outage,
    "interactive": interactive,
    "death": death,
}


def run_case(
    folder: Path,
    template: Path,
    settings: Settings,
    name: str,
    index: int,
    after: float | None,
    keep: bool = False,
) -> CaseRun:
    """One run of one case, in ``folder`` (removed afterwards unless ``keep``)."""
    started = time.monotonic()
    try:
        with Case(folder, template, settings, name, index) as case:
            RUNNERS[name](case, after)
            run = case.judge()
        run.seconds["case"] = round(time.monotonic() - started, 2)
        (folder / "run.json").write_text(json.dumps(run.to_json(), indent=2))
        return run
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)

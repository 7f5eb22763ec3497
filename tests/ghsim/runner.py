"""``run_job``: one job of a workflow, run the way a GitHub-hosted runner runs it, and broken
the way real life breaks it (a cancel, a competing push, the runner dying)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ghsim.actions import ActionContext, ActionError, action_for, installs_packages
from ghsim.expressions import Contexts, condition, interpolate
from ghsim.file_commands import FileCommands
from ghsim.processes import Cancellation, CancelSequence, StepProcess, kill_tracked
from ghsim.remote import BareRemote
from ghsim.results import JobResult, StepResult
from ghsim.workflow import Job, Step, Workflow

TICK = 0.02


@dataclass(frozen=True)
class Moment:
    """When to act: ``after`` seconds into the step ``step`` (name, id or index), and once
    ``when`` (if given) holds. Counted in wall time, so it may land in a later step."""

    step: str
    after: float = 0.0
    when: Callable[[], bool] | None = None


@dataclass
class _Planned:
    label: str
    moment: Moment
    act: Callable[[], object] | None = None  # None for "cancel" and "die"
    fired: bool = False


def workspace_for(runner_root: Path, repository: str = "acme/content") -> Path:
    """Where the job checks out the repository: ``work/REPO/REPO``, as on GitHub."""
    name = repository.split("/")[-1]
    return runner_root / "work" / name / name


def run_job(
    workflow: Workflow,
    job: str,
    *,
    remote: BareRemote,
    runner_root: Path,
    secrets: Mapping[str, str] | None = None,
    variables: Mapping[str, str] | None = None,
    machine_env: Mapping[str, str] | None = None,
    venv_bin: Path | None = None,
    event_name: str = "push",
    event: Mapping[str, Any] | None = None,
    ref: str = "refs/heads/main",
    sha: str | None = None,
    base_ref: str = "",
    head_ref: str = "",
    repository: str = "acme/content",
    token: str = "ghs_simulated_token",
    api_url: str = "https://api.github.com",
    runs: Mapping[int, Path] | None = None,
    run_id: int = 1,
    run_attempt: int = 1,
    actor: str = "content-writer",
    cancel_at: Moment | None = None,
    die_at: Moment | None = None,
    during: Sequence[tuple[Moment, Callable[[], object]]] = (),
    cancellation: Cancellation | None = None,
    step_timeout: float = 900.0,
    matrix: Mapping[str, Any] | None = None,
    needs: Mapping[str, JobResult] | None = None,
    environments: Mapping[str, Mapping[str, str]] | None = None,
    artifacts: Path | None = None,
) -> JobResult:
    """Run ``job``'s steps in a fresh runner folder; see the module docstring of processes.

    ``event``: the payload (``github.event``; a push's by default). ``ref`` and ``sha``: what
    triggered the run (``refs/pull/N/merge`` and its commit for a pull request, whose
    ``base_ref`` and ``head_ref`` name the branches). ``token``: ``github.token``, as GitHub
    mints one per job. ``runs``: the artifacts folders of other runs by run id, for
    actions/download-artifact with ``run-id``. ``matrix``: this job's entry of its
    strategy.matrix (see ghsim.jobs). ``needs``: the results of the jobs it needs.
    ``environments``: each GitHub Environment's secrets, by name: the job's ``environment:``
    picks one, whose secrets win over the repository's. ``artifacts``: the run's artifacts
    folder, shared by its jobs (by default, the job's own)."""
    run = _JobRun(
        workflow,
        workflow.job(job),
        remote,
        runner_root,
        workspace_for(runner_root, repository),
        {"GITHUB_TOKEN": token, **(secrets or {})},
        dict(variables or {}),
        dict(machine_env or {}),
        venv_bin,
        cancellation or Cancellation(),
        step_timeout,
    )
    run.runs = dict(runs or {})
    run.matrix = dict(matrix or {})
    run.needs = {
        name: {"result": done.status, "outputs": dict(done.outputs)}
        for name, done in (needs or {}).items()
    }
    run.environments = {k: dict(v) for k, v in (environments or {}).items()}
    if artifacts is not None:
        artifacts.mkdir(parents=True, exist_ok=True)
        run.artifacts = artifacts
    run.payload = dict(event) if event is not None else None
    run.github = {
        "repository": repository,
        "event_name": event_name,
        "ref": ref,
        "ref_name": ref.removeprefix("refs/heads/").removeprefix("refs/"),
        "sha": sha or remote.head(),
        "base_ref": base_ref,
        "head_ref": head_ref,
        "token": token,
        "api_url": api_url,
        "run_id": str(run_id),
        "run_attempt": str(run_attempt),
        "actor": actor,
        "workspace": str(run.workspace),
        "server_url": "https://github.com",
    }
    planned = [_Planned(f"during:{i}", m, act) for i, (m, act) in enumerate(during)]
    if cancel_at is not None:
        planned.append(_Planned("cancel", cancel_at))
    if die_at is not None:
        planned.append(_Planned("die", die_at))
    run.planned = planned
    return run.run()


class _JobRun:
    def __init__(
        self,
        workflow: Workflow,
        job: Job,
        remote: BareRemote,
        root: Path,
        workspace: Path,
        secrets: dict[str, str],
        variables: dict[str, str],
        machine_env: dict[str, str],
        venv_bin: Path | None,
        cancellation: Cancellation,
        step_timeout: float,
    ) -> None:
        self.workflow, self.job, self.remote = workflow, job, remote
        self.secrets, self.variables, self.machine_env = secrets, variables, machine_env
        self.venv_bin = venv_bin
        self.cancellation, self.step_timeout = cancellation, step_timeout
        self.workspace = workspace
        self.temp = root / "temp"
        self.home = root / "home"
        self.artifacts = root / "artifacts"
        for folder in (self.workspace, self.temp, self.home, self.artifacts):
            folder.mkdir(parents=True, exist_ok=True)
        self.tracking_id = f"github_{uuid.uuid4()}"
        self.github: dict[str, str] = {}
        self.payload: dict[str, Any] | None = None
        self.runs: dict[int, Path] = {}
        self.matrix: dict[str, Any] = {}
        self.needs: dict[str, dict[str, Any]] = {}
        self.environments: dict[str, dict[str, str]] = {}
        self.planned: list[_Planned] = []
        self.status = "success"
        self.died = False
        self.events: list[str] = []
        self.env_from_steps: dict[str, str] = {}
        self.paths: list[str] = []
        self.steps_context: dict[str, dict[str, Any]] = {}
        self.anchors: dict[int, float] = {}
        self.processes: list[StepProcess] = []
        self.helpers: list[threading.Thread] = []
        self.started = time.monotonic()

    # ---- the job ---------------------------------------------------------------------

    def run(self) -> JobResult:
        results: list[StepResult] = []
        result = JobResult(self.job.id, "success", results, self.workspace, self.artifacts)
        # A job's if: reads success() and failure() of the jobs it needs, as on GitHub: a
        # job whose needs did not all succeed is skipped unless it asks for always().
        # (A skipped need makes both success() and failure() false.)
        needed = {n.get("result") for n in self.needs.values()}
        upstream = next(
            (s for s in ("cancelled", "failure", "skipped") if s in needed),
            "failure" if "runner-died" in needed else "success",
        )
        contexts = self._contexts()
        contexts.status = upstream
        if not condition(self.job.if_, contexts):
            result.status = "skipped"
            return result
        result.environment = self._environment()
        result.concurrency_group = self._concurrency_group()
        if result.environment is not None:
            # The environment's secrets: its own keys, apart from every other environment's.
            self.secrets.update(self.environments.get(result.environment, {}))
        event = self.temp / "_github_workflow" / "event.json"
        event.parent.mkdir(parents=True)
        event.write_text(json.dumps(self._event()))
        self.event_path = event
        try:
            for step in self.job.steps:
                self._check_moments()
                if self.died:
                    break
                results.append(self._step(step))
                if self.died:
                    break
        finally:
            result.orphans_killed = self._finish()
        result.status = "runner-died" if self.died else self.status
        if not self.died:
            contexts = self._contexts()
            result.outputs = {k: interpolate(str(v), contexts) for k, v in self.job.outputs.items()}
        result.events = self.events
        result.fired = {p.label: p.fired for p in self.planned}
        return result

    def _event(self) -> dict[str, Any]:
        if self.payload is not None:
            return self.payload
        owner = self.github["repository"].split("/")[0]
        return {
            "ref": self.github["ref"],
            "after": self.github["sha"],
            "repository": {
                "full_name": self.github["repository"],
                "default_branch": "main",
                "owner": {"login": owner},
            },
            "pusher": {"name": self.github["actor"]},
            "head_commit": {"id": self.github["sha"]},
        }

    def _finish(self) -> list[str]:
        """Complete job: clean up orphan processes, stop output pumps, discard on death."""
        killed = kill_tracked(self.tracking_id)
        if killed:
            self._event_log(f"cleaned up orphan processes: {', '.join(killed)}")
        for process in self.processes:
            process.close()
        for helper in self.helpers:
            helper.join(120.0)
            if helper.is_alive():
                raise RuntimeError(f"{helper.name} did not finish")
        if self.died:
            shutil.rmtree(self.workspace.parent.parent, ignore_errors=True)
            shutil.rmtree(self.temp, ignore_errors=True)
        return killed

    def _event_log(self, text: str) -> None:
        self.events.append(f"{time.monotonic() - self.started:8.2f}s {text}")

    def _environment(self) -> str | None:
        declared = self.job.environment
        if isinstance(declared, Mapping):
            declared = declared.get("name")
        return None if declared is None else interpolate(str(declared), self._contexts())

    def _concurrency_group(self) -> str | None:
        declared = self.job.concurrency
        if isinstance(declared, Mapping):
            declared = declared.get("group")
        return None if declared is None else interpolate(str(declared), self._contexts()).strip()

    # ---- moments ---------------------------------------------------------------------

    def _due(self, planned: _Planned) -> bool:
        if planned.fired:
            return False
        anchors = [
            i for i, t in self.anchors.items() if self.job.steps[i].matches(planned.moment.step)
        ]
        if not anchors:
            return False
        if time.monotonic() < self.anchors[anchors[0]] + planned.moment.after:
            return False
        return planned.moment.when is None or bool(planned.moment.when())

    def _check_moments(
        self, running: CancelSequence | None = None, step: Step | None = None
    ) -> None:
        for planned in self.planned:
            if self.died or not self._due(planned):
                continue
            planned.fired = True
            self._event_log(f"{planned.label} fired")
            if planned.act is not None:
                helper = threading.Thread(target=planned.act, name=f"job-{planned.label}")
                helper.start()
                self.helpers.append(helper)
            elif planned.label == "cancel":
                self._cancel(running, step)
            else:
                self._die(running)

    def _cancel(self, running: CancelSequence | None, step: Step | None) -> None:
        """The job is cancelled. Like the runner, re-evaluate the running step's ``if:`` with
        the new status: a step that should run anyway (``always()``) is left alone."""
        self.status = "cancelled"
        if running is None or step is None:
            return
        if condition(step.if_, self._contexts()):
            self._event_log(f"{step.title} goes on: its if: still holds after the cancel")
        else:
            running.cancel()

    def _die(self, running: CancelSequence | None) -> None:
        """The runner machine is gone: every process of the job dies at once."""
        self.died = True
        if running is not None:
            running.process.kill("tree")
        gone = kill_tracked(self.tracking_id)
        self._event_log(f"runner died, and with it: {', '.join(gone) or 'no process'}")

    # ---- steps -----------------------------------------------------------------------

    def _contexts(self, extra_env: Mapping[str, str] | None = None) -> Contexts:
        return Contexts(
            github=self.github,
            secrets=self.secrets,
            vars=self.variables,
            runner={"temp": str(self.temp), "os": "Linux", "arch": "X64", "name": "sim"},
            env={**self._declared_env(), **(extra_env or {})},
            steps=self.steps_context,
            status=self.status,
            event=self._event(),
            matrix=self.matrix if self.job.matrix is not None else None,
            needs=self.needs if self.job.needs else None,
        )

    def _declared_env(self) -> dict[str, str]:
        contexts = Contexts(
            github=self.github,
            secrets=self.secrets,
            vars=self.variables,
            status=self.status,
            event=self._event(),
            matrix=self.matrix if self.job.matrix is not None else None,
            needs=self.needs if self.job.needs else None,
        )
        env = {k: interpolate(str(v), contexts) for k, v in self.workflow.env.items()}
        env.update({k: interpolate(str(v), contexts) for k, v in self.job.env.items()})
        env.update(self.env_from_steps)
        return env

    def _step(self, step: Step) -> StepResult:
        contexts = self._contexts()
        if not condition(step.if_, contexts):
            why = f"if: {step.if_!r}" if step.if_ is not None else "an earlier step failed"
            if step.id:
                self.steps_context[step.id] = {
                    "outputs": {},
                    "outcome": "skipped",
                    "conclusion": "skipped",
                }
            return StepResult(
                step.index, step.title, "skipped", skipped_because=f"{why} (job {self.status})"
            )
        self.anchors[step.index] = time.monotonic()
        started = time.monotonic()
        files = FileCommands.create(self.temp / "_runner_file_commands")
        run = self._action if step.uses else self._script
        result = run(step, contexts, files)
        result.duration = time.monotonic() - started
        if not self.died:
            self._apply_file_commands(result, files)
        if result.conclusion == "failure" and step.continue_on_error:
            result.notes.append("continue-on-error: the job goes on as if it succeeded")
        elif result.conclusion == "failure" and self.status == "success":
            self.status = "failure"
        if step.id:
            outcome = "cancelled" if result.conclusion == "cancelled" else result.conclusion
            self.steps_context[step.id] = {
                "outputs": dict(result.outputs),
                "outcome": outcome,
                "conclusion": "success" if step.continue_on_error else outcome,
            }
        return result

    def _action(self, step: Step, contexts: Contexts, _files: FileCommands) -> StepResult:
        result = StepResult(step.index, step.title, "success", simulated=f"uses: {step.uses}")
        inputs = {k: interpolate(str(v), contexts) for k, v in step.with_.items()}
        ctx = ActionContext(
            self.workspace, self.artifacts, self.remote, result.notes, self.github, self.runs
        )
        try:
            action_for(str(step.uses))(ctx, inputs)
        except ActionError as exc:
            result.conclusion = "failure"
            result.notes.append(f"error: {exc}")
        return result

    def _script(self, step: Step, contexts: Contexts, files: FileCommands) -> StepResult:
        script = interpolate(str(step.run), contexts)
        result = StepResult(step.index, step.title, "success")
        if installs_packages(script):
            result.simulated = (
                f"not run: {script.strip()!r} (nothing is installed from the package index "
                f"here; contentctl comes from {self.venv_bin or 'the PATH'})"
            )
            return result
        path = self.temp / f"{uuid.uuid4()}.sh"
        path.write_text(script, encoding="utf-8")
        env = self._process_env(step, contexts, files)
        cwd = self.workspace / (step.working_directory or "")
        log = self.temp / "_logs" / f"{step.index:02d}.log"
        log.parent.mkdir(exist_ok=True)
        process = StepProcess.start(self._argv(step, path), cwd, env, log)
        self.processes.append(process)
        timeout = step.timeout_minutes * 60 if step.timeout_minutes else self.step_timeout
        running = CancelSequence(process, self.cancellation, timeout, self._event_log)
        while not process.exited():
            self._check_moments(running, step)
            if self.died:
                break
            running.tick()
            time.sleep(TICK)
        result.log = log
        result.signals_sent = list(process.signals)
        if self.died:
            result.conclusion = "cancelled"
            result.notes.append("the runner died during this step")
            return result
        code = process.process.returncode
        result.exit_code = code if code >= 0 else None
        result.signal = signal.Signals(-code).name if code < 0 else None
        if not process.wait_for_output(self.cancellation.stream_grace):
            result.notes.append(
                f"the shell exited but its output stayed open (a child still runs); "
                f"moved on after {self.cancellation.stream_grace:g}s"
            )
        if running.cancelled:
            result.conclusion = "cancelled"
        elif running.timed_out or code != 0:
            result.conclusion = "failure"
        return result

    def _argv(self, step: Step, path: Path) -> list[str]:
        shell = step.shell or self.job.shell
        templates = {
            None: "bash -e {0}",  # GitHub's default when no shell is named
            "bash": "bash --noprofile --norc -eo pipefail {0}",
            "sh": "sh -e {0}",
            "python": "python {0}",
        }
        template = templates.get(shell, shell)
        if template is None or "{0}" not in template:
            raise NotImplementedError(f"shell: {shell} is not simulated")
        return [str(path) if part == "{0}" else part for part in template.split()]

    def _process_env(self, step: Step, contexts: Contexts, files: FileCommands) -> dict[str, str]:
        venv = [str(self.venv_bin)] if self.venv_bin else []
        path = ":".join([*reversed(self.paths), *venv, os.environ.get("PATH", "/usr/bin:/bin")])
        env = {"HOME": str(self.home), "LANG": "C.UTF-8", **self.machine_env}
        env.update(self._declared_env())
        env.update({k: interpolate(str(v), contexts) for k, v in step.env.items()})
        owner = self.github["repository"].split("/")[0]
        env.update(
            {
                "PATH": path,
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_REF": self.github["ref"],
                "GITHUB_REF_NAME": self.github["ref_name"],
                "GITHUB_REF_TYPE": "branch",
                "GITHUB_SHA": self.github["sha"],
                "GITHUB_REPOSITORY": self.github["repository"],
                "GITHUB_REPOSITORY_OWNER": owner,
                "GITHUB_RUN_ID": self.github["run_id"],
                "GITHUB_RUN_NUMBER": self.github["run_id"],
                "GITHUB_RUN_ATTEMPT": self.github["run_attempt"],
                "GITHUB_EVENT_NAME": self.github["event_name"],
                "GITHUB_EVENT_PATH": str(self.event_path),
                "GITHUB_ACTOR": self.github["actor"],
                "GITHUB_JOB": self.job.id,
                "GITHUB_ACTION": step.id or f"__run_{step.index}",
                "GITHUB_SERVER_URL": self.github["server_url"],
                "GITHUB_API_URL": self.github["api_url"],
                "GITHUB_BASE_REF": self.github["base_ref"],
                "GITHUB_HEAD_REF": self.github["head_ref"],
                "RUNNER_OS": "Linux",
                "RUNNER_ARCH": "X64",
                "RUNNER_NAME": "sim",
                "RUNNER_TEMP": str(self.temp),
                "RUNNER_WORKSPACE": str(self.workspace.parent),
                "RUNNER_TRACKING_ID": self.tracking_id,
                **files.environ(),
            }
        )
        return env

    def _apply_file_commands(self, result: StepResult, files: FileCommands) -> None:
        """What the step asked for: variables and PATH for later steps, outputs, summary."""
        try:
            env, outputs = files.variables(), files.outputs()
        except ValueError as exc:
            result.conclusion = "failure"
            result.notes.append(f"error: unable to process file command: {exc}")
            return
        self.env_from_steps.update(env)
        result.outputs.update(outputs)
        self.paths.extend(files.paths())
        summary = files.summary()
        if summary:
            with (self.temp / "job-summary.md").open("a") as handle:
                handle.write(summary)

"""The workflows `contentctl init --multi` scaffolds, run as GitHub runs them (tests/ghsim):
a pull request that changes a shared macro is detected, planned per project in a matrix and
summed up in one comment; its merge applies each reached project in its own job, Environment
and concurrency group, while another merge lands and the two applies race to push their
lockfiles. Every lockfile lands; nothing is paid twice."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from github_sim import (
    COMMENT_WORKFLOW,
    WORKFLOW,
    BareRemote,
    FakeGitHub,
    JobResult,
    Moment,
    PullRequest,
    ServedSandbox,
    Workflow,
    assess,
    matrix_of,
    merge_pull_request,
    push_pull_request,
    run_job,
)
from helpers import EXAMPLES, Project

from contentctl.report.markdown import MARKER

VENV = Path(sys.executable).parent
BRANCH = "launch-tone"
REACHED = ["brands/northwind", "brands/southpeak"]
LOCKS = {p: f"{p}/contentctl.lock" for p in REACHED}


def _repository(tmp_path: Path) -> Path:
    """examples/agency with the workflows, .gitignore and .gitattributes of init --multi."""
    root = tmp_path / "template"
    shutil.copytree(
        EXAMPLES / "agency", root, ignore=shutil.ignore_patterns(".contentctl", "contentctl.lock")
    )
    scaffold = tmp_path / "scaffold"
    made = Project(scaffold, {}).run("init", "--multi", str(scaffold), sandbox=False)
    assert made.exit_code == 0, made.output
    for relative in (WORKFLOW, COMMENT_WORKFLOW, Path(".gitignore"), Path(".gitattributes")):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(scaffold / relative, root / relative)
    return root


def _pull_request_event(pull: PullRequest) -> dict[str, Any]:
    return {
        "action": "synchronize",
        "number": pull.number,
        "pull_request": {
            "number": pull.number,
            "head": {"sha": pull.head_sha, "ref": pull.branch, "repo": {"full_name": "acme/x"}},
            "base": {"ref": "main"},
        },
    }


class Run:
    """One workflow run: its jobs share an artifacts folder, each job its own runner."""

    def __init__(self, root: Path, workflow: Workflow, run_id: int, **common: Any) -> None:
        self.root, self.workflow, self.run_id, self.common = root, workflow, run_id, common
        self.artifacts = root / f"run-{run_id}" / "artifacts"
        self.count = 0

    def job(self, name: str, **extra: Any) -> JobResult:
        self.count += 1
        return run_job(
            self.workflow,
            name,
            runner_root=self.root / f"run-{self.run_id}" / f"{name}-{self.count}",
            venv_bin=VENV,
            run_id=self.run_id,
            artifacts=self.artifacts,
            **{**self.common, **extra},
        )


def _concurrently(*jobs: Callable[[], JobResult]) -> list[JobResult]:
    results: list[JobResult | BaseException] = [RuntimeError("not run")] * len(jobs)

    def run(index: int) -> None:
        try:
            results[index] = jobs[index]()
        except BaseException as exc:  # reported below, in the test's thread
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [r for r in results if isinstance(r, JobResult)]


def _paid(requests: list[dict[str, Any]]) -> list[str]:
    """Requests that pay for a job (a caption generation, here), as the API logged them."""
    return [
        r["body"]["prompt"]
        for r in requests
        if r.get("method") == "POST" and r.get("route") == "/content/generate" and r.get("created")
    ]


def test_a_shared_macro_change_is_planned_per_project_commented_once_and_applied_per_project(
    tmp_path: Path,
) -> None:
    template = _repository(tmp_path)
    workflow = Workflow.load(template / WORKFLOW)
    remote = BareRemote.seed(template, tmp_path / "origin.git")
    macro = (template / "shared" / "templates" / "launch.j2").read_text()
    pull = push_pull_request(
        remote,
        tmp_path / "contributor",
        12,
        BRANCH,
        {"shared/templates/launch.j2": macro.replace("Warm, concrete", "Warm, plain")},
        "Plainer launch copy",
    )

    # ---- the pull request: detect -> a plan job per project -> one comment ---------------
    pr_run = Run(
        tmp_path,
        workflow,
        101,
        remote=remote,
        event_name="pull_request",
        event=_pull_request_event(pull),
        ref=pull.ref,
        sha=pull.merge_sha,
        base_ref="main",
        head_ref=BRANCH,
    )
    detect = pr_run.job("detect")
    assert detect.status == "success", detect.log
    assert detect.outputs["count"] == "2"
    entries = matrix_of(workflow, "plan", {"detect": detect})
    assert [e["project"] for e in entries] == REACHED  # eastbay never imports launch.j2
    assert pr_run.job("apply", needs={"detect": detect}).status == "skipped"

    plans = [pr_run.job("plan", matrix=e, needs={"detect": detect}) for e in entries]
    for plan in plans:
        assert plan.status == "success", plan.log
    combined = pr_run.job("comment", needs={"detect": detect, "plan": plans[-1]})
    assert combined.status == "success", combined.log
    uploaded = pr_run.artifacts / "contentctl-plan"
    assert sorted(p.name for p in uploaded.iterdir()) == ["plan.comment.md", "pull-request"]

    api = FakeGitHub()
    api.open_pull(12, pull.head_sha, BRANCH, "acme/content")
    comment_workflow = Workflow.load(template / COMMENT_WORKFLOW)
    api.grant("ghs_comment", comment_workflow.job("comment").permissions)
    with api.serve() as api_url:
        posted = run_job(
            comment_workflow,
            "comment",
            remote=remote,
            runner_root=tmp_path / "run-201",
            venv_bin=VENV,
            event_name="workflow_run",
            event={
                "action": "completed",
                "workflow_run": {
                    "id": 101,
                    "event": "pull_request",
                    "conclusion": "success",
                    "head_sha": pull.head_sha,
                    "head_branch": BRANCH,
                    "head_repository": {"full_name": "acme/content"},
                    "html_url": "https://github.com/acme/content/actions/runs/101",
                },
            },
            token="ghs_comment",
            api_url=api_url,
            runs={101: pr_run.artifacts},
            run_id=201,
        )
    assert posted.status == "success", posted.log
    [comment] = api.of(12)  # one comment for every project
    body = comment["body"]
    assert body.startswith(MARKER) and body.count(MARKER) == 1
    totals = body.index("| 2 | 2 | 12 |")  # projects, changes, credits: first
    north, south = (body.index(f"#### `{p}`") for p in REACHED)
    assert totals < north < south
    assert "post/cold-brew-launch" in body[north:south]
    assert "post/trail-tent-launch" in body[south:]
    assert "eastbay" not in body
    assert "Within the repository's budget of 1,000 credits." in body

    # ---- the merge: budget -> an apply job per project, racing a competing push -----------
    before = remote.head()
    merged = merge_pull_request(remote, tmp_path / "merge", pull)
    with ServedSandbox(tmp_path / "api", latency=1.0) as sandbox:
        env = sandbox.environ()
        keys = {k: v for k, v in env.items() if not k.endswith("BASE_URL")}
        push_run = Run(
            tmp_path,
            workflow,
            301,
            remote=remote,
            sha=merged,
            event={"ref": "refs/heads/main", "before": before, "after": merged},
            # No repository secret: each project's keys live in its own Environment.
            environments={f"brands-{b}": keys for b in ("northwind", "southpeak")},
            machine_env={k: v for k, v in env.items() if k.endswith("BASE_URL")},
        )
        detect = push_run.job("detect")
        assert detect.status == "success", detect.log
        assert "2 projects, 2 changes, estimated 12 credits" in detect.log  # the budget check
        assert push_run.job("plan", needs={"detect": detect}).status == "skipped"
        entries = matrix_of(workflow, "apply", {"detect": detect})
        assert [e["project"] for e in entries] == REACHED

        def paid_in_flight() -> bool:
            return bool(_paid(sandbox.requests()))

        moment = Moment("Apply and commit the lockfile", when=paid_in_flight)

        def competing_push() -> object:
            return remote.push_change(
                tmp_path / "colleague", {"README.md": "Brand guidelines live here.\n"}, "Docs"
            )

        first, second = _concurrently(
            lambda: push_run.job(
                "apply",
                matrix=entries[0],
                needs={"detect": detect},
                during=[(moment, competing_push)],
            ),
            lambda: push_run.job("apply", matrix=entries[1], needs={"detect": detect}),
        )  # fmt: skip
        assert first.status == "success", first.log
        assert second.status == "success", second.log
        assert first.fired == {"during:0": True}
        # The workflow re-run (or the next merge): each project's apply finds its records.
        again = _concurrently(
            *(
                lambda entry=entry: push_run.job("apply", matrix=entry, needs={"detect": detect})
                for entry in entries
            )
        )
        assert [a.status for a in again] == ["success", "success"], again[0].log
        requests = sandbox.requests()
        state = sandbox.state()

    assert [first.environment, second.environment] == ["brands-northwind", "brands-southpeak"]
    assert first.concurrency_group != second.concurrency_group
    assert first.concurrency_group == "contentctl-apply-acme/content-brands-northwind"
    # Every lockfile landed, on top of the competing push: nothing lost.
    subjects = remote.subjects()
    # Both lockfile commits sit on top of the competing push: each apply's push lost a race
    # (to the competing push, then to the other project's) and was rebuilt, not refused.
    assert [s.startswith("contentctl apply:") for s in subjects[:3]] == [True, True, False]
    assert subjects[2] == "Docs"
    for job in (first, second):
        assert "The remote had moved: merged the lockfiles and pushed" in job.log, job.log
    locks = {p: json.loads(remote.show(path) or "{}") for p, path in LOCKS.items()}
    assert set(locks["brands/northwind"]["resources"]) == {"post/cold-brew-launch"}
    assert set(locks["brands/southpeak"]["resources"]) == {"post/trail-tent-launch"}
    assert remote.show("brands/eastbay/contentctl.lock") is None
    assert "Brand guidelines" in (remote.show("README.md") or "")
    # Nothing paid twice: one caption job per reached project, all recorded.
    prompts = _paid(requests)
    assert len(prompts) == 2 and len(set(prompts)) == 2
    damage = assess(state, requests, [(p, remote.show(path) or "") for p, path in LOCKS.items()])
    assert damage.paid_twice == 0 and damage.lost == [], damage.to_json()


def test_the_multi_project_workflows_pass_actionlint(tmp_path: Path) -> None:
    actionlint = shutil.which("actionlint") or str(VENV / "actionlint")
    if not Path(actionlint).exists():
        pytest.skip("actionlint is not installed (the test extra installs it on Linux x86-64)")
    scaffold = tmp_path / "scaffold"
    assert Project(scaffold, {}).run("init", "--multi", str(scaffold)).exit_code == 0
    workflows = [scaffold / WORKFLOW, scaffold / COMMENT_WORKFLOW]
    result = subprocess.run(
        [actionlint, "-no-color", *map(str, workflows)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # It checks what matters here: contexts a job's env may not use, the matrix's shape.
    text = (scaffold / WORKFLOW).read_text()
    broken = tmp_path / "broken.yml"
    for old, new in (
        ("ID: ${{ matrix.id }}", "ID: ${{ runner.temp }}"),
        ("matrix: ${{ fromJSON(needs.detect.outputs.matrix) }}", "matrix: [1, 2]"),
        ("group: contentctl-apply-", "grup: contentctl-apply-"),
    ):
        assert old in text, old
        broken.write_text(text.replace(old, new, 1))
        found = subprocess.run([actionlint, str(broken)], capture_output=True, check=False)
        assert found.returncode != 0, old


def test_init_multi_scaffolds_a_repository_of_projects(tmp_path: Path) -> None:
    target = tmp_path / "agency"
    made = Project(target, {}).run("init", "--multi", str(target), sandbox=False)
    assert made.exit_code == 0, made.output
    assert "git init" in made.stdout
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    listed = Project(target, {}).run("projects", "--json", sandbox=False)
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["projects"] == [
        {"project": "projects/agency", "name": "agency", "id": "projects-agency", "because": []}
    ]
    planned = Project(target / "projects" / "agency", {}).run("plan")
    assert planned.exit_code == 0, planned.output
    assert "post/hello" in planned.stdout
    settings = json.loads((target / ".vscode" / "settings.json").read_text())["yaml.schemas"]
    assert "projects/*/contentctl.yaml" in settings["./schemas/project.schema.json"]
    workflow = Workflow.load(target / WORKFLOW)
    assert set(workflow.jobs) == {"detect", "plan", "comment", "apply"}
    # The generate stage is one project's; a repository of many gets none that cannot run.
    assert not (target / ".github" / "workflows" / "contentctl-generate.yml").exists()
    assert workflow.job("apply").environment == "${{ matrix.id }}"


def test_a_merge_over_the_repository_budget_starts_no_apply_job(tmp_path: Path) -> None:
    template = _repository(tmp_path)
    workflow_file = template / WORKFLOW
    text = workflow_file.read_text()
    assert 'CONTENTCTL_MAX_CREDITS: "1000"' in text
    workflow_file.write_text(
        text.replace('CONTENTCTL_MAX_CREDITS: "1000"', 'CONTENTCTL_MAX_CREDITS: "10"')
    )
    workflow = Workflow.load(workflow_file)
    remote = BareRemote.seed(template, tmp_path / "origin.git")
    macro = (template / "shared" / "templates" / "launch.j2").read_text()
    pull = push_pull_request(
        remote,
        tmp_path / "contributor",
        3,
        BRANCH,
        {"shared/templates/launch.j2": macro.replace("Warm, concrete", "Warm, plain")},
        "Plainer launch copy",
    )
    before = remote.head()
    merged = merge_pull_request(remote, tmp_path / "merge", pull)
    push_run = Run(
        tmp_path,
        workflow,
        401,
        remote=remote,
        sha=merged,
        event={"ref": "refs/heads/main", "before": before, "after": merged},
    )

    detect = push_run.job("detect")
    assert detect.status == "failure"
    assert detect.step("Check the repository's budget").conclusion == "failure"
    assert "estimated at 12 credits together, over the repository's budget of 10" in detect.log
    apply = push_run.job("apply", matrix={"project": "x", "id": "x"}, needs={"detect": detect})
    assert apply.status == "skipped"
    assert remote.show("brands/northwind/contentctl.lock") is None

"""A fork's code never runs with secrets: every scaffolded workflow's triggers and job
conditions, evaluated for the events a fork can cause; the generate job run for a fork's
labelled pull request (skipped, though secrets are on hand); a commit pushed after the label
is never generated. actionlint checks the generate workflow too."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from github_sim import (
    GENERATE_WORKFLOW,
    BareRemote,
    Contexts,
    FakeGitHub,
    ServedSandbox,
    Workflow,
    condition,
    push_pull_request,
    run_job,
)
from test_git_github import _actionlint
from test_review_workflow import CONTENT, LABEL, _dispatch, _template

VENV = Path(sys.executable).parent
REPOSITORY = "acme/content"
FORK = "someone/content"
# Triggers that run in this repository's context (its secrets, a write token) whatever the
# pull request: combined with the pull request's code, that is the fork's code with secrets.
PRIVILEGED = {"pull_request_target", "issue_comment", "pull_request_review_comment"}
ACTIONS = ("opened", "synchronize", "reopened", "labeled", "unlabeled", "edited")


def _scaffolded(tmp_path: Path) -> dict[str, str]:
    root = tmp_path / "init"
    subprocess.run(
        [sys.executable, "-m", "contentctl", "init", str(root)], check=True, capture_output=True
    )
    folder = root / ".github" / "workflows"
    return {p.name: p.read_text() for p in sorted(folder.glob("*.yml"))}


def _triggers(data: Mapping[Any, Any]) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1).
    found = data.get("on", data.get(True))
    if isinstance(found, str):
        return {found: None}
    if isinstance(found, list):
        return dict.fromkeys(found)
    return dict(found or {})


def _fork_events(trigger: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
    """Every pull_request payload a fork can cause, labels included."""
    types = (trigger or {}).get("types") or ["opened", "synchronize", "reopened"]
    for action in ACTIONS:
        if action not in types:
            continue
        for label in ("", LABEL, "other"):
            yield {
                "action": action,
                "number": 7,
                **({"label": {"name": label}} if label else {}),
                "pull_request": {
                    "number": 7,
                    "head": {"sha": "a" * 40, "ref": "patch-1", "repo": {"full_name": FORK}},
                    "base": {"ref": "main", "repo": {"full_name": REPOSITORY}},
                },
            }


def fork_runs_with_secrets(name: str, text: str) -> list[str]:
    """What in workflow ``text`` lets a fork's code run with this repository's secrets."""
    data = yaml.safe_load(text)
    triggers = _triggers(data)
    problems = [f"{name}: triggered by {t}" for t in sorted(PRIVILEGED & set(triggers))]
    for job_id, job in data["jobs"].items():
        body = yaml.safe_dump(job)
        secrets = "secrets." in body
        checkout = "actions/checkout" in body
        if "workflow_run" in triggers and (checkout or secrets):
            problems.append(f"{name}: job {job_id} checks out code or reads secrets")
        if "pull_request" not in triggers or not secrets:
            continue
        for event in _fork_events(triggers["pull_request"]):
            github = {"event_name": "pull_request", "repository": REPOSITORY}
            if condition(job.get("if"), Contexts(github=github, event=event)):
                label = (event.get("label") or {}).get("name", "")
                problems.append(
                    f"{name}: job {job_id} starts for a fork's {event['action']}"
                    + (f" ({label})" if label else "")
                )
    return problems


def test_no_scaffolded_workflow_runs_a_forks_code_with_secrets(tmp_path: Path) -> None:
    workflows = _scaffolded(tmp_path)
    assert set(workflows) >= {"contentctl.yml", "contentctl-comment.yml", "contentctl-generate.yml"}
    generate = yaml.safe_load(workflows["contentctl-generate.yml"])

    assert {n: fork_runs_with_secrets(n, t) for n, t in workflows.items()} == {
        n: [] for n in workflows
    }
    # The generate job reads secrets, starts for the label on this repository's branches only.
    assert "secrets.POWERPOST_API_KEY" in workflows["contentctl-generate.yml"]
    triggers = _triggers(generate)
    assert set(triggers) == {"pull_request", "workflow_dispatch"}  # neither can a fork cause
    assert triggers["pull_request"] == {"types": ["labeled"]}
    job = generate["jobs"]["generate"]
    same_repo = {
        "action": "labeled",
        "label": {"name": LABEL},
        "pull_request": {"head": {"repo": {"full_name": REPOSITORY}}},
    }
    github = {"event_name": "pull_request", "repository": REPOSITORY}
    assert condition(job["if"], Contexts(github=github, event=same_repo))
    other = {**same_repo, "label": {"name": "documentation"}}
    assert not condition(job["if"], Contexts(github=github, event=other))


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        (  # the fork check dropped: the label alone would start it for a fork
            "(github.event.label.name == 'contentctl:generate' &&\n"
            "      github.event.pull_request.head.repo.full_name == github.repository)",
            "github.event.label.name == 'contentctl:generate'",
            "job generate starts for a fork's labeled (contentctl:generate)",
        ),
        (
            "  pull_request:\n    types: [labeled]",
            "  pull_request_target:\n    types: [labeled]",
            "triggered by pull_request_target",
        ),
    ],
)
def test_the_check_finds_a_workflow_that_would(
    tmp_path: Path, old: str, new: str, found: str
) -> None:
    text = _scaffolded(tmp_path)["contentctl-generate.yml"]
    assert old in text
    problems = fork_runs_with_secrets("contentctl-generate.yml", text.replace(old, new))
    assert any(found in p for p in problems), problems


def _labelled(remote: BareRemote, head_sha: str, repo: str, label: str = LABEL) -> dict[str, Any]:
    return {
        "action": "labeled",
        "number": 7,
        "label": {"name": label},
        "pull_request": {
            "number": 7,
            "head": {"sha": head_sha, "ref": "launch", "repo": {"full_name": repo}},
            "base": {"ref": "main", "repo": {"full_name": REPOSITORY}},
        },
    }


def test_the_generate_job_skips_a_fork_and_refuses_a_commit_pushed_after_the_label(
    tmp_path: Path,
) -> None:
    template = _template(tmp_path / "template")
    remote = BareRemote.seed(template, tmp_path / "origin.git")
    pull = push_pull_request(
        remote, tmp_path / "author", 7, "launch", {"content/launch.yaml": CONTENT}, "Launch"
    )
    workflow = Workflow.load(template / GENERATE_WORKFLOW)

    with ServedSandbox(tmp_path / "api", latency=0) as sandbox:
        env = sandbox.environ()

        def generate(
            event: dict[str, Any], run: int, api: FakeGitHub | None = None, api_url: str = ""
        ) -> Any:
            if api is not None:
                api.grant(f"ghs_run{run}", workflow.job("generate").permissions)
            return run_job(
                workflow,
                "generate",
                remote=remote,
                runner_root=tmp_path / f"runner-{run}",
                venv_bin=VENV,
                # Secrets on hand, as if GitHub handed them out: the conditions must hold.
                secrets={k: v for k, v in env.items() if not k.endswith("BASE_URL")},
                machine_env={k: v for k, v in env.items() if k.endswith("BASE_URL")},
                event_name="pull_request",
                event=event,
                ref=pull.ref,
                sha=pull.merge_sha,
                base_ref="main",
                head_ref="launch",
                run_id=run,
                token=f"ghs_run{run}",
                api_url=api_url or "https://api.github.com",  # GitHub's, when none is given
            )

        fork = generate(_labelled(remote, pull.head_sha, FORK), 1)
        other_label = generate(_labelled(remote, pull.head_sha, REPOSITORY, "design"), 2)
        # Labelled at the first commit; the author pushed another one before the job ran.
        push_pull_request(
            remote, tmp_path / "late", 7, "launch", {"content/late.md": "late\n"}, "Late"
        )
        api = FakeGitHub()
        api.open_pull(7, remote.head("launch"), "launch", REPOSITORY)
        api.label(7, LABEL)
        with api.serve() as api_url:
            moved = generate(_labelled(remote, pull.head_sha, REPOSITORY), 3, api, api_url)

        assert fork.status == "skipped" and fork.steps == []
        assert other_label.status == "skipped"
        assert moved.status == "failure"
        assert "the branch moved after the label was added; add it again" in moved.log
        ran = {s.title: s.conclusion for s in moved.steps}
        assert ran.pop("Check that the branch is the commit that was labelled") == "failure"
        # Taken off, so that adding it again is a new request; nothing else ran after.
        assert ran.pop("Take the label off") == "success" and api.pulls[7]["labels"] == []
        for title in (
            "Generate drafts and commit the lockfile to the pull request",
            "Commit and push the lockfile, whatever happened",
            "Build the HTML preview",
            "Show the generated content in the plan comment",
        ):
            assert ran[title] == "skipped", title
        # Run by hand on the default branch: refused; the stage is for pull requests.
        api = FakeGitHub()
        with api.serve() as api_url:
            on_main = _dispatch(remote, tmp_path, api, api_url, sandbox, "post/launch", 4, "main")

        assert on_main.status == "failure"
        assert "run it on a pull request's branch, not on main" in on_main.log
        assert sandbox.requests() == []  # nothing reached the API
    assert remote.show("contentctl.lock", "launch") is None
    assert remote.show("contentctl.lock", "main") is None


def test_actionlint_checks_the_generate_workflow(tmp_path: Path) -> None:
    actionlint = _actionlint()
    text = _scaffolded(tmp_path)["contentctl-generate.yml"]
    good = tmp_path / "generate.yml"
    good.write_text(text)
    result = subprocess.run([actionlint, "-no-color", str(good)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for old, new in (
        ("types: [labeled]", "types: [label-added]"),
        ("pull-requests: write", "pull-request: write"),
        ("steps.labelled.outcome", "steps.labeled.outcome"),  # no step has that id
    ):
        broken = tmp_path / "broken.yml"
        broken.write_text(text.replace(old, new))
        found = subprocess.run([actionlint, str(broken)], capture_output=True, check=False)
        assert found.returncode != 0, old

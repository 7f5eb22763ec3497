"""The workflows `contentctl init` scaffolds, run as GitHub runs them (tests/github_sim.py):
a pull request from a fork is planned with no secret and no write access; the comment
workflow, triggered by workflow_run, downloads that run's artifact and keeps one sticky
comment up to date through GitHub's API (a local fake that answers like GitHub, with the
token's permissions taken from the job); the merge is applied against the sandbox."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from github_sim import (
    COMMENT_WORKFLOW,
    WORKFLOW,
    BareRemote,
    FakeGitHub,
    JobResult,
    PullRequest,
    ServedSandbox,
    Workflow,
    content_project,
    merge_pull_request,
    push_pull_request,
    run_job,
)
from helpers_markdown import HOSTILE, assert_inert, html

from contentctl import DISTRIBUTION, __version__
from contentctl.report.markdown import MARKER

VENV = Path(sys.executable).parent
FORK = "someone/content"
BRANCH = "launch-copy"


def _post(caption: str) -> str:
    return (
        "apiVersion: contentctl/v1\nkind: Post\nmetadata: {name: launch}\nspec:\n"
        "  post_types: [linkedin-post]\n"
        f"  captions: {{text: {{linkedin: {json.dumps(caption)}}}}}\n"
    )


def _plan(remote: BareRemote, root: Path, pull: PullRequest, run_id: int) -> JobResult:
    workflow = Workflow.load(root / "template" / WORKFLOW)
    event = {
        "action": "synchronize",
        "number": pull.number,
        "pull_request": {
            "number": pull.number,
            "head": {"sha": pull.head_sha, "ref": pull.branch, "repo": {"full_name": FORK}},
            "base": {"ref": "main"},
        },
    }
    return run_job(
        workflow,
        "plan",
        remote=remote,
        runner_root=root / f"runner-{run_id}",
        venv_bin=VENV,
        event_name="pull_request",
        event=event,
        ref=pull.ref,
        sha=pull.merge_sha,
        base_ref="main",
        head_ref=pull.branch,
        run_id=run_id,
    )


def _comment(
    remote: BareRemote,
    root: Path,
    api: FakeGitHub,
    api_url: str,
    plan: tuple[int, JobResult, str],
    run_id: int,
) -> JobResult:
    plan_run_id, plan_run, head_sha = plan
    workflow = Workflow.load(root / "template" / COMMENT_WORKFLOW)
    token = f"ghs_run{run_id}"
    api.grant(token, workflow.job("comment").permissions)  # GITHUB_TOKEN, as the job asks
    event: dict[str, Any] = {
        "action": "completed",
        "workflow_run": {
            "id": plan_run_id,
            "name": "contentctl",
            "event": "pull_request",
            "conclusion": plan_run.status,
            "head_sha": head_sha,
            "head_branch": BRANCH,
            "head_repository": {"full_name": FORK},
            "html_url": f"https://github.com/acme/content/actions/runs/{plan_run_id}",
            "pull_requests": [],  # GitHub leaves it empty for pull requests from forks
        },
    }
    return run_job(
        workflow,
        "comment",
        remote=remote,
        runner_root=root / f"runner-{run_id}",
        venv_bin=VENV,
        event_name="workflow_run",
        event=event,
        token=token,
        api_url=api_url,
        runs={plan_run_id: plan_run.artifacts},
        run_id=run_id,
    )


def _calls(api: FakeGitHub, since: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in api.requests[since:]]


def test_a_fork_pull_request_gets_one_sticky_plan_comment_then_merges_and_applies(
    tmp_path: Path,
) -> None:
    template = content_project(
        tmp_path / "template", media=1, posts=1, carousels=1, publishing=0, schedules=0
    )
    install = f'pip install "{DISTRIBUTION}=={__version__}"'
    for path in (WORKFLOW, COMMENT_WORKFLOW):
        text = (template / path).read_text()
        assert install in text and "pull_request_target" not in text
    comment_job = Workflow.load(template / COMMENT_WORKFLOW).job("comment")
    assert not [s for s in comment_job.steps if (s.uses or "").startswith("actions/checkout")]
    remote = BareRemote.seed(template, tmp_path / "origin.git")
    caption = f"{HOSTILE}\n```\nfenced\n"
    pull = push_pull_request(
        remote, tmp_path / "fork-1", 7, BRANCH, {"content/launch.yaml": _post(caption)}, "Copy"
    )
    api = FakeGitHub()
    api.open_pull(7, pull.head_sha, BRANCH, FORK)

    plan = _plan(remote, tmp_path, pull, 101)

    assert plan.status == "success", plan.log
    # The one step not run here installs this project's distribution, at this version; the
    # local build on the PATH stands in for it.
    [skipped] = [s.simulated for s in plan.steps if s.simulated and "pip install" in s.simulated]
    assert f"{DISTRIBUTION}=={__version__}" in skipped
    uploaded = plan.artifacts / "contentctl-plan"
    assert sorted(p.name for p in uploaded.iterdir()) == [
        "plan.comment.md",
        "plan.json",
        "pull-request",
    ]
    assert (uploaded / "pull-request").read_text() == "7\n"
    planned = json.loads((uploaded / "plan.json").read_text())
    assert [c["address"] for c in planned["changes"]] == ["post/launch"]  # --changed-since

    with api.serve() as api_url:
        first = _comment(remote, tmp_path, api, api_url, (101, plan, pull.head_sha), 201)
        assert first.status == "success", first.log
        assert _calls(api, 0) == [
            "GET /repos/acme/content/pulls/7",
            "GET /repos/acme/content/issues/7/comments",
            "POST /repos/acme/content/issues/7/comments",
        ]
        assert {r.token for r in api.requests} == {"ghs_run201"}
        [comment] = api.of(7)
        body = comment["body"]
        assert body.startswith(MARKER) and comment["user"]["login"] == "github-actions[bot]"
        assert f"Plan of `{pull.head_sha[:12]}`" in body
        assert "https://github.com/acme/content/actions/runs/101" in body
        assert_inert(html(body), details=1)
        assert "+ captions.text.linkedin: |" in body

        # Someone else's comment, marker and all, is never taken for the plan's.
        api.add_comment(7, MARKER + "\nquoting the plan", "maintainer")
        # The contributor pushes again: a new plan run, the same comment edited.
        again = push_pull_request(
            remote, tmp_path / "fork-2", 7, BRANCH, {"content/launch.yaml": _post("Fixed")}, "Fix"
        )
        api.open_pull(7, again.head_sha, BRANCH, FORK)
        second_plan = _plan(remote, tmp_path, again, 102)
        assert second_plan.status == "success", second_plan.log
        seen = len(api.requests)
        second = _comment(remote, tmp_path, api, api_url, (102, second_plan, again.head_sha), 202)

        assert second.status == "success", second.log
        assert _calls(api, seen) == [
            "GET /repos/acme/content/pulls/7",
            "GET /repos/acme/content/issues/7/comments",
            f"PATCH /repos/acme/content/issues/comments/{comment['id']}",
        ]
        assert [c["user"]["login"] for c in api.of(7)] == ["github-actions[bot]", "maintainer"]
        assert "+ captions.text.linkedin: Fixed" in api.of(7)[0]["body"]

        # The first run's comment job, late (or re-run): the pull request moved on.
        seen = len(api.requests)
        late = _comment(remote, tmp_path, api, api_url, (101, plan, pull.head_sha), 203)
        assert late.status == "success", late.log
        assert _calls(api, seen) == ["GET /repos/acme/content/pulls/7"]
        assert "Not commented: pull request #7's head is" in late.log
        assert "Fixed" in api.of(7)[0]["body"]

    main = merge_pull_request(remote, tmp_path / "merge", again)
    with ServedSandbox(tmp_path / "api", latency=0) as sandbox:
        env = sandbox.environ()
        applied = run_job(
            Workflow.load(template / WORKFLOW),
            "apply",
            remote=remote,
            runner_root=tmp_path / "runner-301",
            secrets={k: v for k, v in env.items() if not k.endswith("BASE_URL")},
            machine_env={k: v for k, v in env.items() if k.endswith("BASE_URL")},
            venv_bin=VENV,
            sha=main,
            run_id=301,
        )
    assert applied.status == "success", applied.log
    lock = json.loads(remote.show("contentctl.lock") or "{}")
    assert "post/launch" in lock["resources"]
    assert remote.subjects()[0].startswith("contentctl apply:")


def test_a_forged_pull_request_number_gets_no_comment(tmp_path: Path) -> None:
    """The artifact is the pull request's own: it may name any number. Only the pull
    request whose head is the commit the plan run was triggered for gets a comment."""
    template = content_project(
        tmp_path / "template", media=1, posts=1, carousels=0, publishing=0, schedules=0
    )
    remote = BareRemote.seed(template, tmp_path / "origin.git")
    pull = push_pull_request(
        remote, tmp_path / "fork", 7, BRANCH, {"content/launch.yaml": _post("Hi")}, "Copy"
    )
    plan = _plan(remote, tmp_path, pull, 101)
    assert plan.status == "success", plan.log
    (plan.artifacts / "contentctl-plan" / "pull-request").write_text("8\n")  # someone else's
    api = FakeGitHub()
    api.open_pull(7, pull.head_sha, BRANCH, FORK)
    api.open_pull(8, "f" * 40, "other", "acme/content")

    with api.serve() as api_url:
        result = _comment(remote, tmp_path, api, api_url, (101, plan, pull.head_sha), 201)

    assert result.status == "success", result.log
    assert _calls(api, 0) == ["GET /repos/acme/content/pulls/8"]
    assert api.comments == []
    assert "Not commented: pull request #8's head is ffffffffffff" in result.log


def test_a_plan_run_that_failed_says_so_in_the_comment(tmp_path: Path) -> None:
    template = content_project(
        tmp_path / "template", media=1, posts=1, carousels=0, publishing=0, schedules=0
    )
    remote = BareRemote.seed(template, tmp_path / "origin.git")
    broken = _post("Hi").replace("linkedin-post", "linkedin-pots")
    pull = push_pull_request(
        remote, tmp_path / "fork", 7, BRANCH, {"content/launch.yaml": broken}, "Copy"
    )
    plan = _plan(remote, tmp_path, pull, 101)
    assert plan.status == "failure"
    assert "::error file=content/launch.yaml,line=5" in plan.log
    api = FakeGitHub()
    api.open_pull(7, pull.head_sha, BRANCH, FORK)

    with api.serve() as api_url:
        result = _comment(remote, tmp_path, api, api_url, (101, plan, pull.head_sha), 201)

    assert result.status == "success", result.log
    [comment] = api.of(7)
    assert f"No plan for `{pull.head_sha[:12]}`: the plan job stopped" in comment["body"]

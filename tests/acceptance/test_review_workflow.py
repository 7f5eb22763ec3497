"""Review before publish, end to end, with the workflows `contentctl init` scaffolds run as
GitHub runs them (tests/github_sim.py) on a bare remote, against a served sandbox: a pull
request is planned and commented; a maintainer's label generates its drafts, committed to
its branch and shown in the comment; a prompt edited and generated again re-runs only the
captions; the merge's apply publishes without generating anything."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from github_sim import (
    COMMENT_WORKFLOW,
    GENERATE_WORKFLOW,
    WORKFLOW,
    BareRemote,
    FakeGitHub,
    JobResult,
    PullRequest,
    ServedSandbox,
    Workflow,
    merge_pull_request,
    push_pull_request,
    run_job,
    scaffold,
)
from test_review_before_publish import CAROUSEL, POST, REVIEWED, SCHEDULE

VENV = Path(sys.executable).parent
REPOSITORY = "acme/content"
BRANCH = "launch"
LABEL = "contentctl:generate"
CONTENT = "---\n".join(
    [
        POST.replace("  publish: true\n", "  images: {media: [carousel/tips]}\n  publish: true\n"),
        CAROUSEL,
        SCHEDULE,
    ]
)
MUTATING = ("POST", "PUT", "PATCH", "DELETE")


def _template(root: Path) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "content" / "README.md").write_text("Manifests go here.\n")
    (root / "contentctl.yaml").write_text(REVIEWED)
    scaffold(root)
    return root


def _pull_event(pull: PullRequest, head_sha: str, action: str, label: str = "") -> dict[str, Any]:
    event: dict[str, Any] = {
        "action": action,
        "number": pull.number,
        "pull_request": {
            "number": pull.number,
            "head": {"sha": head_sha, "ref": pull.branch, "repo": {"full_name": REPOSITORY}},
            "base": {"ref": "main", "repo": {"full_name": REPOSITORY}},
        },
    }
    if label:
        event["label"] = {"name": label}
    return event


def _plan(remote: BareRemote, root: Path, pull: PullRequest, run_id: int) -> JobResult:
    return run_job(
        Workflow.load(root / "template" / WORKFLOW),
        "plan",
        remote=remote,
        runner_root=root / f"runner-{run_id}",
        venv_bin=VENV,
        event_name="pull_request",
        event=_pull_event(pull, pull.head_sha, "synchronize"),
        ref=pull.ref,
        sha=pull.merge_sha,
        base_ref="main",
        head_ref=pull.branch,
        run_id=run_id,
    )


def _comment(
    remote: BareRemote, root: Path, api: FakeGitHub, api_url: str, plan: JobResult, run: int
) -> JobResult:
    workflow = Workflow.load(root / "template" / COMMENT_WORKFLOW)
    token = f"ghs_run{run}"
    api.grant(token, workflow.job("comment").permissions)
    event = {
        "action": "completed",
        "workflow_run": {
            "id": run - 100,
            "name": "contentctl",
            "event": "pull_request",
            "conclusion": plan.status,
            "head_sha": remote.head(BRANCH),
            "head_branch": BRANCH,
            "head_repository": {"full_name": REPOSITORY},
            "html_url": f"https://github.com/{REPOSITORY}/actions/runs/{run - 100}",
            "pull_requests": [],
        },
    }
    return run_job(
        workflow,
        "comment",
        remote=remote,
        runner_root=root / f"runner-{run}",
        venv_bin=VENV,
        event_name="workflow_run",
        event=event,
        token=token,
        api_url=api_url,
        runs={run - 100: plan.artifacts},
        run_id=run,
    )


def _generate(
    remote: BareRemote,
    root: Path,
    api: FakeGitHub,
    api_url: str,
    sandbox: ServedSandbox,
    pull: PullRequest,
    run: int,
) -> JobResult:
    workflow = Workflow.load(root / "template" / GENERATE_WORKFLOW)
    token = f"ghs_run{run}"
    api.grant(token, workflow.job("generate").permissions)
    api.label(pull.number, LABEL)  # a maintainer adds the label
    env = sandbox.environ()
    return run_job(
        workflow,
        "generate",
        remote=remote,
        runner_root=root / f"runner-{run}",
        venv_bin=VENV,
        secrets={k: v for k, v in env.items() if not k.endswith("BASE_URL")},
        machine_env={k: v for k, v in env.items() if k.endswith("BASE_URL")},
        event_name="pull_request",
        event=_pull_event(pull, remote.head(BRANCH), "labeled", LABEL),
        ref=pull.ref,
        sha=pull.merge_sha,
        base_ref="main",
        head_ref=pull.branch,
        token=token,
        api_url=api_url,
        run_id=run,
    )


def _dispatch(
    remote: BareRemote,
    root: Path,
    api: FakeGitHub,
    api_url: str,
    sandbox: ServedSandbox,
    replace: str,
    run: int,
    branch: str = BRANCH,
) -> JobResult:
    """The generate workflow run by hand (workflow_dispatch) on ``branch``."""
    workflow = Workflow.load(root / "template" / GENERATE_WORKFLOW)
    token = f"ghs_run{run}"
    api.grant(token, workflow.job("generate").permissions)
    env = sandbox.environ()
    return run_job(
        workflow,
        "generate",
        remote=remote,
        runner_root=root / f"runner-{run}",
        venv_bin=VENV,
        secrets={k: v for k, v in env.items() if not k.endswith("BASE_URL")},
        machine_env={k: v for k, v in env.items() if k.endswith("BASE_URL")},
        event_name="workflow_dispatch",
        event={
            "ref": f"refs/heads/{branch}",
            "inputs": {"replace": replace, "pull_request": "7"},
            "repository": {"full_name": REPOSITORY, "default_branch": "main"},
        },
        ref=f"refs/heads/{branch}",
        sha=remote.head(branch),
        token=token,
        api_url=api_url,
        run_id=run,
    )


def _sent(sandbox: ServedSandbox, since: int) -> list[str]:
    return [
        f"{r['method']} {r['route']}"
        for r in sandbox.requests()[since:]
        if r["method"] in MUTATING and r.get("route")
    ]


def _lock(remote: BareRemote, ref: str) -> dict[str, Any]:
    text = remote.show("contentctl.lock", ref)
    assert text is not None, f"no lockfile on {ref}"
    data: dict[str, Any] = json.loads(text)
    return data


def test_drafts_are_generated_in_the_pull_request_and_the_merge_only_publishes(
    tmp_path: Path,
) -> None:
    template = _template(tmp_path / "template")
    remote = BareRemote.seed(template, tmp_path / "origin.git")
    api = FakeGitHub(branch_head=remote.head)
    pull = push_pull_request(
        remote, tmp_path / "author-1", 7, BRANCH, {"content/launch.yaml": CONTENT}, "Launch"
    )
    api.open_pull(7, pull.head_sha, BRANCH, REPOSITORY)

    with api.serve() as api_url, ServedSandbox(tmp_path / "api", latency=0) as sandbox:
        # Opened: planned, commented; the merge would hold the post back, nothing generated.
        plan = _plan(remote, tmp_path, pull, 101)
        assert plan.status == "success", plan.log
        first = _comment(remote, tmp_path, api, api_url, plan, 201)
        assert first.status == "success", first.log
        [comment] = api.of(7)
        assert "**Needs review:**" in comment["body"] and "`post/launch`" in comment["body"]
        # Nothing generated yet: the schedule shows its words and time, and what is missing.
        assert (
            "`schedule/morning` · needs review: generate it in this pull request"
            in (comment["body"])
        )
        assert "changed since it was generated" not in comment["body"]
        assert sandbox.requests() == []

        # A maintainer adds the label: drafts generated, committed to the branch, shown.
        generated = _generate(remote, tmp_path, api, api_url, sandbox, pull, 301)

        assert generated.status == "success", generated.log
        assert api.pulls[7]["labels"] == []  # taken off: adding it again generates again
        sent = _sent(sandbox, 0)
        assert sorted(set(sent)) == [
            "POST /content/generate",
            "POST /media/upload",
            "POST /post/initiate/import",
            "POST /posts",
        ], sent
        on_branch = _lock(remote, BRANCH)["resources"]
        assert on_branch["post/launch"]["steps"]["captions"]["status"] == "completed"
        assert on_branch["post/launch"]["steps"]["post"]["status"] == "completed"
        assert "publish" not in on_branch["post/launch"]["steps"]
        assert "schedule" not in on_branch["schedule/morning"]["steps"]
        assert remote.subjects(BRANCH)[0].startswith("contentctl apply --generate:")
        [comment] = api.of(7)  # the same sticky comment, edited
        body = comment["body"]
        captions = on_branch["post/launch"]["steps"]["captions"]["outputs"]
        assert captions and all(c.splitlines()[0] in body for c in captions.values())
        slides = on_branch["carousel/tips"]["steps"]["render"]["outputs"]["files"]
        assert slides and all(f'<img src="{url}"' in body for url in slides)
        assert "`post/launch` · publishes on merge" in body
        assert "`schedule/morning` · schedules on merge" in body
        assert "2030-06-03 09:00 Europe/Paris" in body
        assert "Spent in this pull request so far: **9 credits**" in body
        assert f"Plan of `{remote.head(BRANCH)[:12]}`" in body
        # The HTML preview: uploaded, linked, this pull request's content highlighted.
        preview = (generated.artifacts / "contentctl-preview" / "index.html").read_text()
        assert "<section class='changed'><h2>post/launch</h2>" in preview
        assert "<section class='changed'><h2>carousel/tips</h2>" in preview
        assert preview.count("src='data:image/png;base64,") >= len(slides)
        run_url = f"https://github.com/{REPOSITORY}/actions/runs/301"
        assert f"[HTML preview of the content]({run_url}#artifacts)" in body

        # The author edits the prompt: planned again, the comment says the caption is stale.
        edited = push_pull_request(
            remote,
            tmp_path / "author-2",
            7,
            BRANCH,
            {"content/launch.yaml": CONTENT.replace("We just launched", "Today we launched")},
            "Better prompt",
        )
        replan = _plan(remote, tmp_path, edited, 102)
        assert replan.status == "success", replan.log
        assert _comment(remote, tmp_path, api, api_url, replan, 202).status == "success"
        assert "changed since it was generated (captions, post)" in api.of(7)[0]["body"]

        # The label again: only the captions are generated again (and the draft showing them).
        seen = len(sandbox.requests())
        again = _generate(remote, tmp_path, api, api_url, sandbox, edited, 302)

        assert again.status == "success", again.log
        assert _sent(sandbox, seen) == ["POST /content/generate", "POST /posts"]
        body = api.of(7)[0]["body"]
        assert "Today we launched" in body
        assert "Takes on this branch: captions 2 takes (6 + 6 credits)" in body

        # A fresh take without editing anything: run by hand on the branch, with --replace.
        seen = len(sandbox.requests())
        fresh = _dispatch(remote, tmp_path, api, api_url, sandbox, "post/launch", 303)

        assert fresh.status == "success", fresh.log
        # The post's every step again (its slides uploaded again: free); the carousel not.
        assert sorted(set(_sent(sandbox, seen))) == [
            "POST /content/generate",
            "POST /media/upload",
            "POST /posts",
        ]
        assert "captions 3 takes (6 + 6 + 6 credits)" in api.of(7)[0]["body"]
        regenerated = _lock(remote, BRANCH)["resources"]

        # Merged: the apply on main publishes, and generates nothing.
        head = PullRequest(7, BRANCH, remote.head(BRANCH), edited.merge_sha)
        main = merge_pull_request(remote, tmp_path / "merge", head)
        seen = len(sandbox.requests())
        env = sandbox.environ()
        applied = run_job(
            Workflow.load(template / WORKFLOW),
            "apply",
            remote=remote,
            runner_root=tmp_path / "runner-401",
            secrets={k: v for k, v in env.items() if not k.endswith("BASE_URL")},
            machine_env={k: v for k, v in env.items() if k.endswith("BASE_URL")},
            venv_bin=VENV,
            sha=main,
            run_id=401,
        )

        assert applied.status == "success", applied.log
        assert sorted(_sent(sandbox, seen)) == ["POST /posts/{post_id}/publish", "POST /schedule"]
        # Every request of the merge's apply: the balance it prints, the two that publish,
        # and the published post read back. No generation, no render, no upload, no draft.
        assert sorted(f"{r['method']} {r.get('route')}" for r in sandbox.requests()[seen:]) == [
            "GET /account/credits",
            "GET /posts/{post_id}",
            "POST /posts/{post_id}/publish",
            "POST /schedule",
        ]
        assert "needs review: " not in applied.log
        assert applied.step("Say on the merged pull request what needs review").conclusion == (
            "skipped"
        )

    on_main = _lock(remote, "main")["resources"]
    post = on_main["post/launch"]["steps"]
    # What the pull request generated, and what the merge published.
    assert post["captions"] == regenerated["post/launch"]["steps"]["captions"]
    assert post["post"]["remote_id"] == regenerated["post/launch"]["steps"]["post"]["remote_id"]
    assert post["publish"]["status"] == "completed"
    assert on_main["schedule/morning"]["steps"]["schedule"]["status"] == "completed"
    render = on_main["carousel/tips"]["steps"]["render"]
    assert render == regenerated["carousel/tips"]["steps"]["render"]


def _apply(
    remote: BareRemote,
    root: Path,
    api: FakeGitHub,
    api_url: str,
    sandbox: ServedSandbox,
    sha: str,
    run: int,
) -> JobResult:
    workflow = Workflow.load(root / "template" / WORKFLOW)
    token = f"ghs_run{run}"
    api.grant(token, workflow.job("apply").permissions)
    env = sandbox.environ()
    return run_job(
        workflow,
        "apply",
        remote=remote,
        runner_root=root / f"runner-{run}",
        secrets={k: v for k, v in env.items() if not k.endswith("BASE_URL")},
        machine_env={k: v for k, v in env.items() if k.endswith("BASE_URL")},
        venv_bin=VENV,
        sha=sha,
        token=token,
        api_url=api_url,
        run_id=run,
    )


def test_content_merged_without_generating_is_drafted_named_on_the_pull_request_and_published_later(
    tmp_path: Path,
) -> None:
    template = _template(tmp_path / "template")
    remote = BareRemote.seed(template, tmp_path / "origin.git")
    api = FakeGitHub(branch_head=remote.head)
    pull = push_pull_request(
        remote, tmp_path / "author", 7, BRANCH, {"content/launch.yaml": CONTENT}, "Launch"
    )
    api.open_pull(7, pull.head_sha, BRANCH, REPOSITORY)
    main = merge_pull_request(remote, tmp_path / "merge", pull)
    api.merge(7, main)

    with api.serve() as api_url, ServedSandbox(tmp_path / "api", latency=0) as sandbox:
        merged = _apply(remote, tmp_path, api, api_url, sandbox, main, 401)

        assert merged.status == "success", merged.log
        assert "needs review: post/launch (publish held)" in merged.log
        assert "needs review: schedule/morning (schedule held)" in merged.log
        sent = _sent(sandbox, 0)
        assert "POST /posts" in sent  # the draft exists, for review
        assert "POST /posts/{post_id}/publish" not in sent and "POST /schedule" not in sent
        summary = (tmp_path / "runner-401" / "temp" / "job-summary.md").read_text()
        assert "**Needs review** (not published" in summary
        assert "`post/launch`, `schedule/morning`" in summary
        [told] = api.of(7)
        assert told["body"].startswith("<!-- contentctl-needs-review -->")
        assert "- `post/launch`\n- `schedule/morning`" in told["body"]
        assert f"https://github.com/{REPOSITORY}/actions/runs/401" in told["body"]
        on_main = _lock(remote, "main")["resources"]
        assert "publish" not in on_main["post/launch"]["steps"]

        # The next merge (anything at all): the drafted content exists, unchanged: published.
        later = remote.push_change(tmp_path / "other", {"README.md": "Hello\n"}, "Readme")
        seen = len(sandbox.requests())
        published = _apply(remote, tmp_path, api, api_url, sandbox, later, 402)

        assert published.status == "success", published.log
        assert sorted(_sent(sandbox, seen)) == [
            "POST /posts/{post_id}/publish",
            "POST /schedule",
        ]
        assert len(api.of(7)) == 1  # nothing more needs review
    on_main = _lock(remote, "main")["resources"]
    assert on_main["post/launch"]["steps"]["publish"]["status"] == "completed"

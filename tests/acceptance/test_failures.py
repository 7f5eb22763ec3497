"""Failures: a failed job marks its resource failed, others continue, the next apply retries
only what failed; injected 429s and 5xx are survived without paying twice."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import Project, copy_example, lockfile_shape, make_project

from contentctl.sandbox.state import SandboxState


def _statuses(project: Project) -> dict[str, str]:
    lock = json.loads(project.lockfile.read_text())
    return {
        f"{a}#{n}": s["status"] for a, r in lock["resources"].items() for n, s in r["steps"].items()
    }


def test_failed_jobs_are_reported_refunded_and_retried_alone(quickstart: Project) -> None:
    failing = quickstart.run(
        "apply", "--auto-approve", env={"CONTENTCTL_SANDBOX_FAULTS": "job_failure=1"}
    )

    assert failing.exit_code == 1
    assert (
        "failed: post/dark-mode-launch captions: powerpost: Failed to generate content"
        in failing.stdout
    )
    assert "failed: carousel/dark-mode-tips render: postnitro:" in failing.stdout
    assert "Run `contentctl apply` again to retry what failed" in failing.stdout
    assert _statuses(quickstart) == {
        "media/hero#upload": "completed",
        "post/dark-mode-launch#captions": "failed",
        "carousel/dark-mode-tips#lookup": "completed",
        "carousel/dark-mode-tips#render": "failed",
    }
    sandbox = SandboxState(quickstart.root / ".contentctl" / "sandbox")
    assert sandbox.powerpost["balance"] == 1000  # failed generations are refunded

    plan = quickstart.run("plan")
    assert "previous attempt failed: Failed to generate content" in plan.stdout
    assert "media/hero" not in plan.stdout

    since = len(quickstart.requests())
    retry = quickstart.run("apply", "--auto-approve")

    assert retry.exit_code == 0, retry.output
    assert quickstart.calls("POST", "/media/upload", since) == []
    assert quickstart.calls("GET", "/template", since) == []
    assert len(quickstart.calls("POST", "/content/generate", since)) == 1
    assert set(_statuses(quickstart).values()) == {"completed"}


def test_rate_limits_and_server_errors_converge_without_double_submission(
    quickstart: Project, tmp_path: Path
) -> None:
    clean = Project(copy_example("quickstart", tmp_path / "clean"), quickstart.env)
    assert clean.run("apply", "--auto-approve").exit_code == 0
    faults = "rate_limit=0.2,server_error=0.1,retry_after=0.01,seed=7"
    quickstart.edit(
        "contentctl.yaml",
        "spec:\n",
        "spec:\n  providers:\n"
        "    powerpost: {retries: {base_delay: 0.01}}\n"
        "    postnitro: {retries: {base_delay: 0.01}}\n",
    )

    result = quickstart.run(
        "--debug", "apply", "--auto-approve", env={"CONTENTCTL_SANDBOX_FAULTS": faults}
    )

    assert result.exit_code == 0, result.output
    log = quickstart.requests()
    limited = [r for r in log if r["status"] == 429]
    assert limited and any(r["status"] == 500 for r in log)
    waits = [line for line in result.stderr.splitlines() if "rate limited" in line]
    assert len(waits) == len(limited)
    powerpost = [line for line in waits if ": powerpost: " in line]
    assert powerpost and all(line.endswith("waiting 0.01s (retryAfter)") for line in powerpost)
    # PostNitro documents no 429 body: its waits fall back to the configured backoff.
    assert all(line.endswith("(default)") for line in waits if ": postnitro: " in line)
    for route in (
        "/content/generate",
        "/images/generate",
        "/post/initiate/import",
        "/posts",
        "/media/upload",
    ):
        accepted = [r for r in quickstart.calls("POST", route) if r["status"] == 200]
        assert len(accepted) == 1, route
    assert lockfile_shape(quickstart) == lockfile_shape(clean)
    assert quickstart.run("plan", "--detailed-exitcode").exit_code == 0


GENERATED_ONLY = """\
apiVersion: contentctl/v1
kind: Post
metadata: {name: teaser}
spec:
  post_types: [linkedin-post]
  captions: {prompt: Something big is coming on Monday}
"""


def test_lost_answers_are_reconciled_or_reported_never_paid_twice(quickstart: Project) -> None:
    (quickstart.root / "content" / "launch.yaml").unlink()
    quickstart.write("content/teaser.yaml", GENERATED_ONLY)

    lost = quickstart.run("apply", "--auto-approve", env={"CONTENTCTL_SANDBOX_FAULTS": "timeout=1"})

    assert lost.exit_code == 1
    assert "the next apply reconciles it" in lost.stdout
    assert _statuses(quickstart) == {
        "post/teaser#captions": "submitting",
        "carousel/dark-mode-tips#lookup": "completed",
        "carousel/dark-mode-tips#render": "submitting",
    }

    second = quickstart.run("apply", "--auto-approve")

    assert second.exit_code == 1
    assert "post/teaser captions: found job" in second.stdout  # listed, matched, adopted
    assert "--resubmit-uncertain" in second.stdout  # PostNitro jobs cannot be listed
    assert len(quickstart.calls("POST", "/content/generate")) == 1
    assert len(quickstart.calls("POST", "/post/initiate/import")) == 1

    third = quickstart.run("apply", "--auto-approve", "--resubmit-uncertain")

    assert third.exit_code == 0, third.output
    assert len(quickstart.calls("POST", "/post/initiate/import")) == 2
    assert len(quickstart.calls("POST", "/content/generate")) == 1
    assert set(_statuses(quickstart).values()) == {"completed"}


def test_out_of_credits_stops_only_what_cannot_be_paid(quickstart: Project) -> None:
    result = quickstart.run("apply", "--auto-approve", env={"CONTENTCTL_SANDBOX_BALANCE": "3"})

    assert result.exit_code == 1
    assert "Insufficient credits: this request costs 7, balance is 3" in result.stdout
    assert (
        "hint: the PowerPost balance is 3 credits; this plan is estimated at 17 credits. "
        "Buy credits in PowerPost"
    ) in result.stdout
    statuses = _statuses(quickstart)
    assert statuses["post/dark-mode-launch#captions"] == "failed"
    assert statuses["carousel/dark-mode-tips#download"] == "completed"  # PostNitro is separate


def test_ten_percent_job_failures_report_exactly_those_and_retry_only_them(tmp_path: Path) -> None:
    project = Project(make_project(tmp_path / "twenty"), {"CONTENTCTL_SANDBOX_LATENCY": "0"})

    first = project.run(
        "apply", "--auto-approve", env={"CONTENTCTL_SANDBOX_FAULTS": "job_failure=0.1,seed=3"}
    )

    assert first.exit_code == 1
    failed_steps = {k for k, v in _statuses(project).items() if v == "failed"}
    assert failed_steps, "the seed must make some jobs fail"
    reported = {
        line.split(": ")[1] for line in first.stdout.splitlines() if line.startswith("  failed: ")
    }
    assert reported == {k.replace("#", " ") for k in failed_steps}
    failed_resources = {k.split("#")[0] for k in failed_steps}
    completed = {
        a for a in json.loads(project.lockfile.read_text())["resources"]
    } - failed_resources
    assert len(completed) >= 14  # independent resources went on

    since = len(project.requests())
    second = project.run("apply", "--auto-approve")

    assert second.exit_code == 0, second.output
    retried = set()
    for entry in project.requests()[since:]:
        if entry["method"] == "POST":
            retried.add(entry["route"])
    # Never created (their captions failed): created now, not updated.
    plan_lines = [line for line in second.stdout.splitlines() if line.startswith("  + ")]
    assert {line.split()[1] for line in plan_lines} == failed_resources
    assert "/media/upload" not in retried
    assert set(_statuses(project).values()) == {"completed"}

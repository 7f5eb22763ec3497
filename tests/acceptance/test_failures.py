"""Failures: a failed job marks its resource failed, others continue, the next apply retries
only what failed; injected 429s and 5xx are survived without paying twice."""

from __future__ import annotations

import json

from helpers import Project

from contentctl.sandbox import SandboxState


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
    quickstart: Project,
) -> None:
    faults = "rate_limit=0.3,server_error=0.15,retry_after=0.01,seed=7"
    quickstart.edit(
        "contentctl.yaml",
        "spec:\n",
        "spec:\n  providers:\n"
        "    powerpost: {retries: {base_delay: 0.01}}\n"
        "    postnitro: {retries: {base_delay: 0.01}}\n",
    )
    result = quickstart.run("apply", "--auto-approve", env={"CONTENTCTL_SANDBOX_FAULTS": faults})

    assert result.exit_code == 0, result.output
    log = quickstart.requests()
    assert any(r["status"] == 429 for r in log) and any(r["status"] == 500 for r in log)
    for route in (
        "/content/generate",
        "/images/generate",
        "/post/initiate/import",
        "/posts",
        "/media/upload",
    ):
        accepted = [r for r in quickstart.calls("POST", route) if r["status"] == 200]
        assert len(accepted) == 1, route
    assert set(_statuses(quickstart).values()) == {"completed"}
    assert quickstart.run("plan", "--detailed-exitcode").exit_code == 0


def test_out_of_credits_stops_only_what_cannot_be_paid(quickstart: Project) -> None:
    result = quickstart.run("apply", "--auto-approve", env={"CONTENTCTL_SANDBOX_BALANCE": "3"})

    assert result.exit_code == 1
    assert "Insufficient credits: this request costs 7, balance is 3" in result.stdout
    assert "buy credits" in result.stdout
    statuses = _statuses(quickstart)
    assert statuses["post/dark-mode-launch#captions"] == "failed"
    assert statuses["carousel/dark-mode-tips#download"] == "completed"  # PostNitro is separate

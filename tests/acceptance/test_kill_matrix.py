"""The kill matrix, bounded for CI: the apply job that `contentctl init` scaffolds, run as
GitHub runs it (tests/github_sim.py) against the sandbox served over HTTP, broken once per way
real life breaks it, then applied again on a new runner and planned from a fresh clone.

What contentctl promises, for a cancel, a competing push, an API outage, and two interactive
applies of one checkout: no paid job submitted twice, no scheduled post duplicated, every job
the API accepted named by a lockfile that survived (origin/main or an uploaded artifact), every
such lockfile readable, and no person needed to finish. A runner killed outright (SIGKILL, its
disk gone) cannot keep all of that; its figures are printed, and only "readable" is asserted.

Each break lands at a condition, not a guess: once a paid job is in flight (the runner's
lockfile records it ``pending``). Jobs take 6 s in the sandbox, so the apply runs well past
GitHub's 7.5 s + 2.5 s cancel sequence. The six runs go at once (about a minute).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from ghsim.matrix import CaseRun, Settings, run_case
from github_sim import content_project

SETTINGS = Settings(faults="rate_limit=0.05,server_error=0.05", latency=6.0)
POLLING = {"initial_delay": 0.5, "interval": 0.5, "backoff": 1, "max_interval": 1}
CASES = ("baseline", "cancel", "push", "outage", "interactive", "death")


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CaseRun]:
    root = tmp_path_factory.mktemp("kill-matrix")
    template = content_project(
        root / "template",
        media=2,
        posts=4,
        carousels=3,
        publishing=1,
        schedules=1,
        polling=POLLING,
    )
    with ThreadPoolExecutor(len(CASES)) as pool:
        runs = {
            name: pool.submit(run_case, root / name, template, SETTINGS, name, 1, None)
            for name in CASES
        }
        return {name: future.result() for name, future in runs.items()}


def _figures(run: CaseRun) -> str:
    damage = run.damage
    return (
        f"{run.case} at {run.moment}: first job {run.first}, follow-up {run.follow_up}; "
        f"paid twice {damage.paid_twice} {damage.submitted_twice}, "
        f"{damage.credits_wasted:g} credits wasted; schedules duplicated "
        f"{damage.schedules_duplicated}; lost {len(damage.lost)} {damage.lost[:3]}; "
        f"unreadable {damage.unreadable}; needed a human: {run.human or 'no'}; "
        f"notes: {run.notes}"
    )


def _assert_promises_kept(run: CaseRun) -> None:
    print(_figures(run))
    assert run.fired, _figures(run)
    assert run.damage.paid_twice == 0, _figures(run)
    assert run.damage.schedules_duplicated == 0, _figures(run)
    assert run.damage.lost == [], _figures(run)
    assert run.damage.unreadable == [], _figures(run)
    assert run.human == [], _figures(run)


def test_an_uninterrupted_apply_job_keeps_every_promise(matrix: dict[str, CaseRun]) -> None:
    """The control: with the same faults and nothing broken, nothing goes wrong."""
    _assert_promises_kept(matrix["baseline"])


def test_a_cancelled_apply_job_pays_nothing_twice_and_loses_no_job(
    matrix: dict[str, CaseRun],
) -> None:
    _assert_promises_kept(matrix["cancel"])


def test_a_push_to_main_during_the_apply_job_loses_nothing(matrix: dict[str, CaseRun]) -> None:
    _assert_promises_kept(matrix["push"])


def test_an_api_outage_during_the_apply_job_pays_nothing_twice(
    matrix: dict[str, CaseRun],
) -> None:
    _assert_promises_kept(matrix["outage"])


def test_two_interactive_applies_of_one_checkout_pay_nothing_twice(
    matrix: dict[str, CaseRun],
) -> None:
    _assert_promises_kept(matrix["interactive"])


def test_a_killed_runner_leaves_only_readable_lockfiles(matrix: dict[str, CaseRun]) -> None:
    run = matrix["death"]
    print(_figures(run))
    assert run.fired, _figures(run)
    assert run.damage.unreadable == [], _figures(run)

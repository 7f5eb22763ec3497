"""The generated content of a pull request: which paid results its branch made (its takes)."""

from __future__ import annotations

from contentctl.lockfile.records import Lockfile, ResourceRecord, StepRecord
from contentctl.report.takes import Take, takes


def _lock(**steps: tuple[str, str, float]) -> Lockfile:
    """``address__step=(remote_id, status, credits)``."""
    resources: dict[str, dict[str, StepRecord]] = {}
    for key, (remote_id, status, credits) in steps.items():
        address, step = key.replace("_", "/", 1).split("__")
        resources.setdefault(address, {})[step] = StepRecord(
            input_hash="sha256:x",
            status=status,  # type: ignore[arg-type]
            remote_id=remote_id,
            credits_used=credits,
        )
    return Lockfile(
        "lineage",
        len(resources),
        {a: ResourceRecord("Post", "powerpost", steps=s) for a, s in resources.items()},
    )


def test_each_new_paid_result_of_the_branch_is_a_take_once() -> None:
    base = _lock(post_old__captions=("g0", "completed", 6))
    first = _lock(
        post_old__captions=("g0", "completed", 6),
        post_launch__captions=("g1", "completed", 6),
        post_launch__images=("i1", "pending", 5),  # paid, but not back yet
    )
    second = _lock(
        post_old__captions=("g0", "completed", 6),
        post_launch__captions=("g2", "completed", 8),  # a fresh take of the captions
        post_launch__images=("i1", "completed", 5),
        post_launch__post=("p1", "completed", 0),  # free: not a paid result
    )

    found = takes([("base", base), ("c1", first), ("c2", second)])

    assert found == [
        Take("c1", "post/launch", "captions", "g1", 6),
        Take("c2", "post/launch", "captions", "g2", 8),
        Take("c2", "post/launch", "images", "i1", 5),
    ]


def test_records_merged_in_from_the_base_branch_are_not_the_branchs_takes() -> None:
    start = _lock(post_old__captions=("g0", "completed", 6))
    merged = _lock(
        post_old__captions=("g0", "completed", 6),
        post_other__captions=("g7", "completed", 6),  # another pull request, on main now
        post_launch__captions=("g1", "completed", 6),
    )
    main_now = _lock(post_other__captions=("g7", "completed", 6))

    found = takes([("base", start), ("c1", merged)], base=main_now)

    assert [t.remote_id for t in found] == ["g1"]
    assert takes([]) == []

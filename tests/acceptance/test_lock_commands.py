"""`contentctl lock merge|resolve|install-driver`, the conflict-marker error, `init` and
`show` around lockfile merges: driven through the CLI on real files and git repositories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import Project, git, git_repo

from contentctl.validate.schema import validator

HASH = "sha256:" + "a" * 64


def _lock(serial: int, **steps: dict[str, Any]) -> dict[str, Any]:
    return {
        "format_version": "1.0",
        "lineage": "lineage-1",
        "serial": serial,
        "resources": {
            address: {
                "kind": "Post",
                "provider": "powerpost",
                "source": {"file": "content/a.yaml"},
                "steps": {"captions": {"input_hash": HASH, **step}},
            }
            for address, step in steps.items()
        },
    }


def _files(folder: Path, *locks: dict[str, Any] | str) -> list[str]:
    paths = []
    for name, lock in zip(("base", "ours", "theirs"), locks, strict=True):
        path = folder / f"{name}.lock"
        path.write_text(lock if isinstance(lock, str) else json.dumps(lock))
        paths.append(str(path))
    return paths


def _run(folder: Path, *args: str) -> Any:
    return Project(folder, {}).run(*args, sandbox=False)


DONE = {"status": "completed", "remote_id": "c1"}


def test_merge_driver_writes_both_sides_records_into_ours_and_exits_0(tmp_path: Path) -> None:
    base, ours, theirs = _files(
        tmp_path,
        _lock(3, **{"post/launch": DONE}),
        _lock(4, **{"post/launch": DONE, "post/alpha": {"status": "completed", "remote_id": "a"}}),
        _lock(4, **{"post/launch": DONE, "post/beta": {"status": "pending", "remote_id": "b"}}),
    )

    result = _run(tmp_path, "lock", "merge", base, ours, theirs)

    assert result.exit_code == 0, result.output
    assert result.output == ""
    text = Path(ours).read_text()
    merged = json.loads(text)
    assert text == json.dumps(merged, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert sorted(merged["resources"]) == ["post/alpha", "post/beta", "post/launch"]
    assert merged["serial"] == 5
    validator("lockfile.schema.json").validate(merged)


def test_merge_driver_reports_each_conflict_by_address_and_exits_1(tmp_path: Path) -> None:
    base, ours, theirs = _files(
        tmp_path,
        _lock(3, **{"post/launch": DONE}),
        _lock(4, **{"post/launch": {"status": "completed", "remote_id": "ours-id"}}),
        _lock(4, **{"post/launch": {"status": "pending", "remote_id": "their-id"}}),
    )

    result = _run(tmp_path, "lock", "merge", base, ours, theirs)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "conflict: post/launch: changed on both sides; captions: kept ours (completed), "
        "orphaned theirs (their-id)"
    ]
    merged = json.loads(Path(ours).read_text())
    validator("lockfile.schema.json").validate(merged)
    record = merged["resources"]["post/launch"]
    assert record["steps"]["captions"]["remote_id"] == "ours-id"
    assert [o["record"]["remote_id"] for o in record["orphans"]] == ["their-id"]


def test_an_empty_base_means_no_common_ancestor(tmp_path: Path) -> None:
    base, ours, theirs = _files(
        tmp_path, "", _lock(1, **{"post/a": DONE}), _lock(1, **{"post/b": DONE})
    )
    result = _run(tmp_path, "lock", "merge", base, ours, theirs)
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(Path(ours).read_text())["resources"]) == ["post/a", "post/b"]


def test_unreadable_input_is_a_one_line_error_and_ours_is_left_alone(tmp_path: Path) -> None:
    base, ours, theirs = _files(tmp_path, "", _lock(1, **{"post/a": DONE}), "{not json")
    before = Path(ours).read_text()

    broken = _run(tmp_path, "lock", "merge", base, ours, theirs)
    missing = _run(tmp_path, "lock", "merge", base, ours, str(tmp_path / "nowhere.lock"))

    for result in (broken, missing):
        assert result.exit_code == 1
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
        assert "Traceback" not in result.output
    assert "the theirs version of theirs.lock is not a valid lockfile" in broken.stderr
    assert "nowhere.lock" in missing.stderr
    assert Path(ours).read_text() == before


def test_lockfiles_made_against_different_apis_are_not_merged(tmp_path: Path) -> None:
    real = {"powerpost": {"base_url": "https://api.powerpost.example"}}
    base, ours, theirs = _files(
        tmp_path,
        "",
        {**_lock(1, **{"post/a": DONE}), "target": {"sandbox": True}},
        {**_lock(1, **{"post/b": DONE}), "target": real},
    )
    before = Path(ours).read_text()

    result = _run(tmp_path, "lock", "merge", base, ours, theirs)

    assert result.exit_code == 1
    assert "made against different APIs" in result.stderr
    assert Path(ours).read_text() == before


def test_a_lockfile_with_conflict_markers_says_how_to_resolve_it(quickstart: Project) -> None:
    quickstart.lockfile.write_text(
        '{\n<<<<<<< HEAD\n  "serial": 4\n=======\n  "serial": 5\n>>>>>>> other\n}\n'
    )

    result = quickstart.run("plan")

    assert result.exit_code == 1
    assert "error: contentctl.lock has unresolved merge conflicts" in result.stderr
    assert "contentctl lock resolve" in result.stderr
    assert "contentctl lock install-driver" in result.stderr
    assert "git checkout" not in result.stderr


def test_install_driver_configures_git_once_and_keeps_other_attributes(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    root = git_repo(tmp_path / "repo")
    (root / ".gitattributes").write_text("*.png binary")

    first = _run(root, "lock", "install-driver")
    again = _run(root, "lock", "install-driver")

    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    assert "Configured the contentctl merge driver" in first.stdout
    assert "already configured" in again.stdout and ".gitattributes" not in again.stdout
    driver = git(root, "config", "--get", "merge.contentctl.driver").stdout.strip()
    assert driver == "contentctl lock merge %O %A %B"
    assert git(root, "config", "--get", "merge.contentctl.name").stdout.strip()
    assert (
        root / ".gitattributes"
    ).read_text() == "*.png binary\ncontentctl.lock merge=contentctl\n"
    attribute = git(root, "check-attr", "merge", "--", "contentctl.lock").stdout.strip()
    assert attribute == "contentctl.lock: merge: contentctl"


def test_install_driver_and_resolve_need_a_git_repository(tmp_path: Path) -> None:
    for command in ("install-driver", "resolve"):
        result = _run(tmp_path, "lock", command)
        assert result.exit_code == 1
        assert "needs a git repository" in result.stderr and "git init" in result.stderr


def test_resolve_outside_a_conflicted_merge_says_so(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    root = git_repo(tmp_path / "repo")

    result = _run(root, "lock", "resolve")

    assert result.exit_code == 1
    assert "contentctl.lock has no merge conflict to resolve" in result.stderr
    assert "hint: lock resolve works during a git merge or rebase" in result.stderr


def test_init_routes_the_lockfile_to_the_driver_and_configures_it_inside_git(
    tmp_path: Path,
) -> None:
    inside = tmp_path / "repo"
    inside.mkdir()
    git_repo(inside)
    outside = tmp_path / "plain"

    configured = _run(tmp_path, "init", str(inside / "content-repo"))
    told = _run(tmp_path, "init", str(outside))

    assert configured.exit_code == 0 and told.exit_code == 0, configured.output + told.output
    for target in (inside / "content-repo", outside):
        assert (target / ".gitattributes").read_text() == "contentctl.lock merge=contentctl\n"
    assert git(inside, "config", "--get", "merge.contentctl.driver").stdout.strip()
    assert "configured the contentctl merge driver" in configured.stdout
    assert "install-driver" not in configured.stdout
    assert f"after git init: contentctl -C {outside} lock install-driver" in told.stdout

    (outside / ".gitattributes").write_text("*.pdf binary\n")
    refused = _run(tmp_path, "init", str(outside))
    forced = _run(tmp_path, "init", "--force", str(outside))
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert forced.exit_code == 0, forced.output
    assert (outside / ".gitattributes").read_text() == (
        "*.pdf binary\ncontentctl.lock merge=contentctl\n"
    )


def test_show_lists_the_orphans_a_merge_kept(applied: Project) -> None:
    data = json.loads(applied.lockfile.read_text())
    record = data["resources"]["post/dark-mode-launch"]
    lost = {**record["steps"]["captions"], "status": "pending", "remote_id": "job-from-other"}
    reason = "merge conflict: theirs had this pending record, ours a completed one (kept)"
    record["orphans"] = [{"step": "captions", "reason": reason, "record": lost}]
    applied.lockfile.write_text(json.dumps(data))

    result = applied.run("show", "post/dark-mode-launch")

    assert result.exit_code == 0, result.output
    assert "  orphans (remote objects no longer current, kept so no id is lost):" in result.stdout
    assert "    captions: pending, id job-from-other" in result.stdout
    assert f"      reason: {reason}" in result.stdout
    plain = applied.run("show", "media/hero")
    assert "orphans" not in plain.stdout


def test_lock_commit_folds_in_what_a_killed_apply_left_in_its_journal(applied: Project) -> None:
    """An apply killed outright leaves its last records in the journal only; the CI job's
    last step commits them, and the journal (never committed) is gone."""
    from contentctl.lockfile.journal import journal_path
    from contentctl.lockfile.read import read
    from contentctl.lockfile.records import StepRecord
    from contentctl.lockfile.writer import LockfileWriter

    git_repo(applied.root)
    path = applied.lockfile
    writer = LockfileWriter(path, read(path), journal=True)
    writer.record_step(
        "post/later",
        "Post",
        "powerpost",
        {"file": "content/later.yaml"},
        "captions",
        StepRecord("sha256:" + "ab" * 32, "pending", remote_id="job-paid-for"),
    )
    assert "job-paid-for" not in path.read_text()  # killed here: the journal has it

    committed = applied.run("lock", "commit")

    assert committed.exit_code == 0, committed.output
    shown = git(applied.root, "show", "HEAD:contentctl.lock").stdout
    assert "job-paid-for" in shown
    assert not journal_path(path).exists()
    assert git(applied.root, "status", "--porcelain").stdout == ""

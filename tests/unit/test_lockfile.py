"""contentctl.lock: deterministic, atomic, serial bumped only by real changes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from contentctl import lease, lockfile
from contentctl.errors import LeaseHeldError, LockfileError
from contentctl.lockfile import Lockfile, LockfileWriter, StepRecord


def _step(status: str = "completed", **extra: object) -> StepRecord:
    return StepRecord(input_hash="sha256:abc", status=status, **extra)  # type: ignore[arg-type]


def _record(writer: LockfileWriter, address: str, step: str, record: StepRecord) -> None:
    writer.record_step(address, "Post", "powerpost", {"file": "content/a.yaml"}, step, record)


def test_first_write_sets_lineage_and_serial_one(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, lockfile.read(path))

    _record(writer, "post/a", "captions", _step(remote_id="g1", outputs={"x": "hi"}))

    text = path.read_text()
    data = json.loads(text)
    assert data["serial"] == 1 and len(data["lineage"]) == 36
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert lockfile.read(path).step("post/a", "captions") == _step(
        remote_id="g1", outputs={"x": "hi"}
    )


def test_serial_grows_on_change_and_never_on_a_repeat(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, lockfile.read(path))
    _record(writer, "post/a", "captions", _step("pending", remote_id="g1"))
    _record(writer, "post/a", "captions", _step("completed", remote_id="g1"))
    lineage = json.loads(path.read_text())["lineage"]

    again = LockfileWriter(path, lockfile.read(path))
    _record(again, "post/a", "captions", _step("completed", remote_id="g1"))

    data = json.loads(path.read_text())
    assert data["serial"] == 2
    assert data["lineage"] == lineage


def test_a_failed_write_leaves_the_previous_lockfile_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, lockfile.read(path))
    _record(writer, "post/a", "captions", _step(remote_id="g1"))
    before = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    # The record made before a request: refused, and nothing changes (the request is not sent).
    with pytest.raises(LockfileError, match="No space left on device") as caught:
        writer.record_step(
            "post/b", "Post", "powerpost", {}, "captions", _step("submitting"), strict=True
        )
    assert "free some disk space" in (caught.value.hint or "")
    assert "post/b" not in writer.current.resources and writer.unsaved is None
    # A record of what the API did: kept in memory, and the error remembered.
    _record(writer, "post/c", "captions", _step(remote_id="g3"))
    assert writer.current.step("post/c", "captions") is not None
    assert writer.unsaved is not None
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["contentctl.lock"]  # no temp file left
    with pytest.raises(LockfileError):
        writer.flush()

    monkeypatch.undo()
    writer.flush()
    assert writer.unsaved is None
    assert lockfile.read(path).step("post/c", "captions") == _step(remote_id="g3")


def test_a_replaced_object_the_api_cannot_delete_is_kept_as_an_orphan(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, lockfile.read(path))
    first = _step(remote_id="post-1")
    _record(writer, "post/a", "post", first)

    def write(record: StepRecord, superseded: StepRecord | None) -> None:
        writer.record_step(
            "post/a",
            "Post",
            "powerpost",
            {"file": "content/a.yaml"},
            "post",
            record,
            superseded=superseded,
            reason="draft replaced",
        )

    # The moment a new submission is recorded, the old draft is an orphan (same write).
    write(_step("submitting"), first)
    orphans = lockfile.read(path).resources["post/a"].orphans
    assert orphans == ({"step": "post", "reason": "draft replaced", "record": first.to_json()},)
    # Refused: the record goes back as it was, and its object is current again.
    write(first, first)
    assert lockfile.read(path).resources["post/a"].orphans == ()
    # Sent and answered: the old draft is kept once, however often it is written.
    write(_step("submitting"), first)
    write(_step(remote_id="post-2"), first)
    record = lockfile.read(path).resources["post/a"]
    assert [o["record"]["remote_id"] for o in record.orphans] == ["post-1"]
    assert record.steps["post"].remote_id == "post-2"


def test_an_unreadable_lockfile_is_an_error_with_a_way_out(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    path.write_text("{not json")
    with pytest.raises(LockfileError) as caught:
        lockfile.read(path)
    assert "git checkout" in (caught.value.hint or "")


def test_a_missing_lockfile_reads_as_empty(tmp_path: Path) -> None:
    lock = lockfile.read(tmp_path / "contentctl.lock")
    assert lock == Lockfile.empty() and not lock.exists


def test_the_lease_is_exclusive_and_released(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    with lease.hold(path, "alice"):
        holder = json.loads(lease.lease_path(path).read_text())
        assert holder["owner"] == "alice" and holder["pid"] == os.getpid()
        with pytest.raises(LeaseHeldError, match="alice"), lease.hold(path, "bob"):
            pass
    assert not lease.lease_path(path).exists()


def test_a_lease_left_by_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    dead = {
        "owner": "ci",
        "host": os.uname().nodename,
        "pid": 2**22 + 12345,
        "started": 0,
        "expires": 9e12,
    }
    lease.lease_path(path).write_text(json.dumps(dead))
    with lease.hold(path, "me"):
        assert json.loads(lease.lease_path(path).read_text())["owner"] == "me"


def test_the_lease_is_renewed_on_a_timer_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    with lease.hold(path, "ci", renew_every=0.01):
        first = json.loads(lease.lease_path(path).read_text())["expires"]
        deadline = time.monotonic() + 10
        renewed = first
        while renewed == first and time.monotonic() < deadline:  # no lockfile write at all
            renewed = json.loads(lease.lease_path(path).read_text())["expires"]
    assert renewed > first
    assert not lease.lease_path(path).exists()


TORN_WRITER = """
import sys
from pathlib import Path
from contentctl.lockfile import LockfileWriter, StepRecord, read
path = Path(sys.argv[1])
writer = LockfileWriter(path, read(path))
for i in range(100000):
    writer.record_step(f"post/p{i % 400}", "Post", "powerpost", {"file": "c.yaml"}, "captions",
                       StepRecord("sha256:" + "ab" * 32, "completed", remote_id=f"g{i}",
                                  outputs={"instagram": "x" * 2000}))
"""


def test_a_kill_in_the_middle_of_writing_never_tears_the_lockfile(tmp_path: Path) -> None:
    import random
    import subprocess
    import sys
    import time

    path = tmp_path / "contentctl.lock"
    rng = random.Random(7)
    for _ in range(8):
        writer = subprocess.Popen([sys.executable, "-c", TORN_WRITER, str(path)])
        time.sleep(rng.uniform(0.3, 0.8))
        writer.kill()
        writer.wait()
        lock = lockfile.read(path)  # raises on a torn file
        assert lock.exists and lock.serial > 0
        assert all(r.steps["captions"].remote_id for r in lock.resources.values())


def test_a_real_lockfile_validates_against_the_published_schema(tmp_path: Path) -> None:
    from helpers import Project, copy_example

    from contentctl.validate.schema import validator

    project = Project(copy_example("quickstart", tmp_path), {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    assert project.run("apply", "--auto-approve").exit_code == 0
    data = json.loads(project.lockfile.read_text())
    validator("lockfile.schema.json").validate(data)
    data["resources"]["media/hero"]["steps"]["upload"]["status"] = "done"
    assert not validator("lockfile.schema.json").is_valid(data)


def test_the_incremental_writer_writes_exactly_the_canonical_json(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, lockfile.read(path))
    for i in range(5):
        outputs = {"x": 'é \u2028 "quoted"', "n": [1, {"b": 2}]}
        _record(writer, f"post/p{i}", "captions", _step(remote_id=f"g{i}", outputs=outputs))
        _record(writer, f"post/p{i}", "post", _step(remote_id=f"post-{i}"))
        assert path.read_text() == lockfile.dumps(writer.current.to_json())
    writer.forget("post/p2")
    writer.rename("post/p3", "post/renamed")
    assert path.read_text() == lockfile.dumps(writer.current.to_json())
    assert lockfile.read(path) == writer.current


def test_a_lease_whose_pid_was_reused_by_another_process_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    reused = {
        "owner": "ci",
        "host": os.uname().nodename,
        "pid": os.getpid(),
        "started": 0,
        "expires": 9e12,
        "process_start": "1",
    }  # not this process's start
    lease.lease_path(path).write_text(json.dumps(reused))
    with lease.hold(path, "me"):
        assert json.loads(lease.lease_path(path).read_text())["owner"] == "me"
    alive = {**reused, "process_start": lease._process_start(os.getpid())}
    lease.lease_path(path).write_text(json.dumps(alive))
    with pytest.raises(LeaseHeldError), lease.hold(path, "me"):
        pass


def test_conflict_markers_get_their_own_error_and_a_way_to_resolve(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    path.write_text('{\n<<<<<<< HEAD\n  "serial": 4\n=======\n  "serial": 5\n>>>>>>> b\n}\n')
    with pytest.raises(LockfileError, match="unresolved merge conflicts") as caught:
        lockfile.read(path)
    hint = caught.value.hint or ""
    assert "contentctl lock resolve" in hint and "contentctl lock install-driver" in hint
    assert "git checkout" not in hint
    path.write_text('{"note": "<<<<<<< not at a line start"')
    with pytest.raises(LockfileError, match="not a valid lockfile"):
        lockfile.read(path)

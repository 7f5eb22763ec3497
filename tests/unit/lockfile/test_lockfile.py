"""contentctl.lock: deterministic, atomic, serial bumped only by real changes."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from contentctl import lease
from contentctl.errors import LeaseHeldError, LockfileError
from contentctl.lockfile.files import compact
from contentctl.lockfile.journal import journal_path
from contentctl.lockfile.read import read
from contentctl.lockfile.records import Lockfile, ResourceRecord, StepRecord
from contentctl.lockfile.text import dumps
from contentctl.lockfile.writer import LockfileWriter


def _step(status: str = "completed", **extra: object) -> StepRecord:
    return StepRecord(input_hash="sha256:abc", status=status, **extra)  # type: ignore[arg-type]


def _record(writer: LockfileWriter, address: str, step: str, record: StepRecord) -> None:
    writer.record_step(address, "Post", "powerpost", {"file": "content/a.yaml"}, step, record)


def test_first_write_sets_lineage_and_serial_one(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, read(path))

    _record(writer, "post/a", "captions", _step(remote_id="g1", outputs={"x": "hi"}))

    text = path.read_text()
    data = json.loads(text)
    assert data["serial"] == 1 and len(data["lineage"]) == 36
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert read(path).step("post/a", "captions") == _step(remote_id="g1", outputs={"x": "hi"})


def test_serial_grows_on_change_and_never_on_a_repeat(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, read(path))
    _record(writer, "post/a", "captions", _step("pending", remote_id="g1"))
    _record(writer, "post/a", "captions", _step("completed", remote_id="g1"))
    lineage = json.loads(path.read_text())["lineage"]

    again = LockfileWriter(path, read(path))
    _record(again, "post/a", "captions", _step("completed", remote_id="g1"))

    data = json.loads(path.read_text())
    assert data["serial"] == 2
    assert data["lineage"] == lineage


def test_a_failed_write_leaves_the_previous_lockfile_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, read(path))
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
    assert read(path).step("post/c", "captions") == _step(remote_id="g3")


def test_a_replaced_object_the_api_cannot_delete_is_kept_as_an_orphan(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, read(path))
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
    orphans = read(path).resources["post/a"].orphans
    assert orphans == ({"step": "post", "reason": "draft replaced", "record": first.to_json()},)
    # Refused: the record goes back as it was, and its object is current again.
    write(first, first)
    assert read(path).resources["post/a"].orphans == ()
    # Sent and answered: the old draft is kept once, however often it is written.
    write(_step("submitting"), first)
    write(_step(remote_id="post-2"), first)
    record = read(path).resources["post/a"]
    assert [o["record"]["remote_id"] for o in record.orphans] == ["post-1"]
    assert record.steps["post"].remote_id == "post-2"


def test_an_unreadable_lockfile_is_an_error_with_a_way_out(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    path.write_text("{not json")
    with pytest.raises(LockfileError) as caught:
        read(path)
    assert "git checkout" in (caught.value.hint or "")


def test_a_missing_lockfile_reads_as_empty(tmp_path: Path) -> None:
    lock = read(tmp_path / "contentctl.lock")
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
from contentctl.lockfile.read import read
from contentctl.lockfile.records import StepRecord
from contentctl.lockfile.writer import LockfileWriter
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
        lock = read(path)  # raises on a torn file
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
    writer = LockfileWriter(path, read(path))
    for i in range(5):
        outputs = {"x": 'é \u2028 "quoted"', "n": [1, {"b": 2}]}
        _record(writer, f"post/p{i}", "captions", _step(remote_id=f"g{i}", outputs=outputs))
        _record(writer, f"post/p{i}", "post", _step(remote_id=f"post-{i}"))
        assert path.read_text() == dumps(writer.current.to_json())
    writer.forget("post/p2")
    writer.rename("post/p3", "post/renamed")
    assert path.read_text() == dumps(writer.current.to_json())
    assert read(path) == writer.current


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
        read(path)
    hint = caught.value.hint or ""
    assert "contentctl lock resolve" in hint and "contentctl lock install-driver" in hint
    assert "git checkout" not in hint
    path.write_text('{"note": "<<<<<<< not at a line start"')
    with pytest.raises(LockfileError, match="not a valid lockfile"):
        read(path)


# The journal: what an apply writes after each step.


def _journalled(path: Path) -> LockfileWriter:
    return LockfileWriter(path, read(path), journal=True)


def test_a_journalled_step_is_appended_not_rewritten_and_every_reader_sees_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "contentctl.lock"
    writer = _journalled(path)
    # Before the first change the lockfile is written as it stands: one that cannot be
    # written stops the apply before anything is sent.
    _record(writer, "post/a", "captions", _step("submitting"))
    first = path.read_bytes()
    assert json.loads(first)["resources"] == {}
    assert journal_path(path).exists()

    _record(writer, "post/a", "captions", _step("pending", remote_id="g1"))
    _record(writer, "post/b", "captions", _step("submitting"))
    writer.forget("post/b")
    assert path.read_bytes() == first  # not rewritten
    assert journal_path(path).exists()
    seen = read(path)
    assert seen == writer.current
    assert seen.step("post/a", "captions") == _step("pending", remote_id="g1")
    assert "post/b" not in seen.resources

    writer.flush()  # the end of the apply: compacted
    assert not journal_path(path).exists()
    assert path.read_text() == dumps(writer.current.to_json())
    assert read(path) == writer.current


def test_a_journal_replayed_twice_changes_nothing(tmp_path: Path) -> None:
    """A crash after the compaction's rename, before the journal is removed."""
    path = tmp_path / "contentctl.lock"
    writer = _journalled(path)
    _record(writer, "post/a", "captions", _step("submitting"))
    _record(writer, "post/a", "captions", _step("pending", remote_id="g1"))
    writer.record_step(
        "post/a", "Post", "powerpost", {}, "images", _step(remote_id="i1"), prevent_destroy=True
    )
    writer.rename("post/a", "post/renamed")
    journal = journal_path(path).read_bytes()
    writer.flush()
    journal_path(path).write_bytes(journal)

    assert read(path) == writer.current


def test_a_torn_last_journal_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = _journalled(path)
    _record(writer, "post/a", "captions", _step("submitting"))
    _record(writer, "post/a", "captions", _step("pending", remote_id="g1"))
    good = replace(writer.current, resources=dict(writer.current.resources))
    _record(writer, "post/a", "captions", _step(remote_id="g1", outputs={"x": "y" * 100}))
    journal = journal_path(path)
    journal.write_bytes(journal.read_bytes()[:-40])  # the kill landed mid-write

    assert read(path) == good


def test_a_journal_over_a_lockfile_that_moved_on_keeps_both(tmp_path: Path) -> None:
    """A kill -9, then a git pull brought other records: the journal's are kept too."""
    path = tmp_path / "contentctl.lock"
    writer = _journalled(path)
    _record(writer, "post/a", "captions", _step("submitting"))
    _record(writer, "post/a", "captions", _step("pending", remote_id="g1"))
    pulled = LockfileWriter(tmp_path / "other.lock", Lockfile.empty())
    _record(pulled, "post/theirs", "captions", _step(remote_id="t1"))
    data = pulled.current.to_json()
    data["lineage"] = writer.current.lineage
    data["serial"] = 7
    path.write_text(dumps(data))

    seen = read(path)
    assert seen.step("post/a", "captions") == _step("pending", remote_id="g1")
    assert seen.step("post/theirs", "captions") == _step(remote_id="t1")
    assert seen.serial == 8


def test_a_journal_append_that_fails_is_refused_when_strict_and_kept_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "contentctl.lock"
    writer = _journalled(path)
    _record(writer, "post/a", "captions", _step("completed", remote_id="g0"))
    _record(writer, "post/a", "images", _step("completed", remote_id="i0"))
    journal = journal_path(path).read_bytes()
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        real_write(fd, bytes(data)[:10])  # a part lands, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(LockfileError, match="No space left"):
        writer.record_step(
            "post/b", "Post", "powerpost", {}, "captions", _step("submitting"), strict=True
        )
    assert "post/b" not in writer.current.resources and writer.unsaved is None
    assert journal_path(path).read_bytes() == journal  # cut back: no torn line

    _record(writer, "post/c", "captions", _step(remote_id="g3"))
    assert writer.current.step("post/c", "captions") is not None
    assert writer.unsaved is not None
    monkeypatch.setattr(os, "write", real_write)
    writer.flush()
    assert read(path).step("post/c", "captions") == _step(remote_id="g3")
    assert not journal_path(path).exists()


def test_the_journal_is_compacted_once_it_outgrows_the_lockfile(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = _journalled(path)
    writer.MIN_COMPACT_BYTES = 2000
    for i in range(40):
        _record(writer, f"post/p{i}", "captions", _step(remote_id=f"g{i}"))
    journal = journal_path(path)
    # Compacted along the way: the file holds most records, the journal the rest.
    assert 0 < len(json.loads(path.read_text())["resources"]) < 40
    assert journal.stat().st_size < max(path.stat().st_size, 2000) + 1000
    assert read(path) == writer.current


def test_a_quiet_apply_brings_the_lockfile_up_to_date(tmp_path: Path) -> None:
    now = [0.0]
    path = tmp_path / "contentctl.lock"
    writer = LockfileWriter(path, read(path), journal=True, clock=lambda: now[0])
    _record(writer, "post/a", "captions", _step("submitting"))
    _record(writer, "post/a", "captions", _step("pending", remote_id="g1"))
    now[0] = 1.0
    writer.compact_if_quiet()
    assert json.loads(path.read_text())["resources"] == {}
    now[0] = 2.5
    writer.compact_if_quiet()
    assert json.loads(path.read_text())["resources"]["post/a"]["steps"]["captions"]["status"] == (
        "pending"
    )
    assert not journal_path(path).exists()


def test_a_leftover_journal_is_folded_in_by_a_full_write_and_by_compact(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    writer = _journalled(path)
    _record(writer, "post/a", "captions", _step("submitting"))
    _record(writer, "post/a", "captions", _step("pending", remote_id="g1"))
    # Killed here. A later command that rewrites the file takes the journal in.
    state = LockfileWriter(path, read(path))
    state.forget("post/a")
    assert not journal_path(path).exists()
    assert "post/a" not in read(path).resources  # not brought back by a replay

    again = _journalled(path)
    _record(again, "post/b", "captions", _step("submitting"))
    _record(again, "post/b", "captions", _step("pending", remote_id="g2"))
    assert compact(path) is True
    assert json.loads(path.read_text())["resources"]["post/b"]["steps"]["captions"][
        "remote_id"
    ] == ("g2")
    assert compact(path) is False


JOURNAL_WRITER = TORN_WRITER.replace("read(path))", "read(path), journal=True)")


def test_a_kill_in_the_middle_of_journalling_never_loses_a_durable_record(
    tmp_path: Path,
) -> None:
    import random
    import subprocess
    import sys
    import time

    assert "journal=True" in JOURNAL_WRITER
    path = tmp_path / "contentctl.lock"
    rng = random.Random(11)
    serial = 0
    for _ in range(6):
        writer = subprocess.Popen([sys.executable, "-c", JOURNAL_WRITER, str(path)])
        time.sleep(rng.uniform(0.3, 0.8))
        writer.kill()
        writer.wait()
        lock = read(path)  # raises on a torn file or journal
        assert lock.exists and lock.serial > serial
        serial = lock.serial
        assert all(r.steps["captions"].remote_id for r in lock.resources.values())


def test_remote_ids_follow_every_change_without_a_scan(tmp_path: Path) -> None:
    import random

    path = tmp_path / "contentctl.lock"
    writer = _journalled(path)
    rng = random.Random(3)
    addresses = [f"post/p{i}" for i in range(30)]
    captions = writer.remote_ids("captions")  # built once, then kept up to date

    class NoScan(dict):  # type: ignore[type-arg]
        def values(self):  # type: ignore[no-untyped-def]
            raise AssertionError("remote_ids scanned every record")

    writer._resources = NoScan(writer._resources)
    writer.current = replace(writer.current, resources=writer._resources)
    for i in range(300):
        address = rng.choice(addresses)
        what = rng.random()
        if what < 0.6:
            step = rng.choice(["captions", "post"])
            _record(writer, address, step, _step(remote_id=f"{step}-{rng.randrange(40)}"))
        elif what < 0.75:
            writer.forget(address)
        elif what < 0.85 and address in writer.current.resources:
            target = rng.choice(addresses)
            if target not in writer.current.resources:
                writer.rename(address, target)
        else:
            writer.record_step(address, "Post", "powerpost", {}, "captions", None)
        for step in ("captions", "post"):
            # dict.values, not .values(): the live mapping's own iteration may be refused.
            records: list[ResourceRecord] = list(
                dict.values(writer.current.resources)  # type: ignore[arg-type]
            )
            expected = {r.steps[step].remote_id for r in records if step in r.steps}
            seen = {f"{step}-{n}" for n in range(40) if f"{step}-{n}" in writer.remote_ids(step)}
            assert seen == expected, (i, step)
    assert ("captions-1" in captions) == ("captions-1" in writer.remote_ids("captions"))

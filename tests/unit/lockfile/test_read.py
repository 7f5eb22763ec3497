"""A lockfile's fingerprint, found by hashing its bytes a piece at a time, is the ``source``
that reading it whole records: the plan's digest and apply's lease check rely on it."""

from __future__ import annotations

from pathlib import Path

from contentctl.lockfile.journal import journal_path
from contentctl.lockfile.read import CHUNK, fingerprint, read
from contentctl.lockfile.records import Lockfile, ResourceRecord
from contentctl.lockfile.text import dumps


def test_the_fingerprint_is_the_source_a_whole_read_records(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    assert fingerprint(path) == read(path).source  # no lockfile yet

    big = {
        f"post/p{i}": ResourceRecord("Post", "powerpost", source={"file": "x" * 200})
        for i in range(3 * CHUNK // 200)
    }
    path.write_text(dumps(Lockfile("lineage", 1, big).to_json()))
    assert path.stat().st_size > 2 * CHUNK  # hashed in several pieces
    whole = read(path).source
    assert fingerprint(path) == whole

    journal_path(path).parent.mkdir()
    journal_path(path).write_text("")  # a journal, even an empty one, is part of what is read
    assert fingerprint(path) == read(path).source != whole


def test_a_changed_byte_changes_the_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "contentctl.lock"
    path.write_text(dumps(Lockfile("lineage", 1).to_json()))
    before = fingerprint(path)

    path.write_text(dumps(Lockfile("lineage", 2).to_json()))

    assert fingerprint(path) != before

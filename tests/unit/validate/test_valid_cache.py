"""The schema-valid cache signs its entries with this user's key: the key is made once,
readable by its user only, shared by concurrent processes; without one, nothing is cached."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from contentctl.load import signed
from contentctl.validate.cache import ValidCache


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "cache.key"
    monkeypatch.setenv("CONTENTCTL_CACHE_KEY", str(path))
    return path


def test_the_key_is_made_once_for_its_user_only(key: Path, tmp_path: Path) -> None:
    first = ValidCache(tmp_path / "valid.json")

    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert ValidCache(tmp_path / "valid.json").key("s", {"a": 1}) == first.key("s", {"a": 1})


def test_processes_starting_together_agree_on_one_key(key: Path) -> None:
    found: list[bytes | None] = []
    barrier = threading.Barrier(16)

    def make() -> None:
        barrier.wait()
        found.append(signed.signing_key())

    threads = [threading.Thread(target=make) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(found)) == 1 and found[0] == key.read_bytes()
    assert list(key.parent.iterdir()) == [key]  # nothing left aside


def test_a_key_from_elsewhere_reads_a_cache_as_empty(key: Path, tmp_path: Path) -> None:
    ours = ValidCache(tmp_path / "valid.json")
    entry = ours.key("media.schema.json", {"kind": "Media"})
    ours.remember(entry)
    ours.save()
    key.write_bytes(b"x" * signed.KEY_BYTES)  # another machine, another user

    theirs = ValidCache(tmp_path / "valid.json")

    assert not theirs.valid(theirs.key("media.schema.json", {"kind": "Media"}))


def test_without_a_key_nothing_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("CONTENTCTL_CACHE_KEY", str(blocked / "cache.key"))

    unsigned = ValidCache(tmp_path / "valid.json")
    unsigned.remember(unsigned.key("s", {}))
    unsigned.save()

    assert unsigned.path is None and not (tmp_path / "valid.json").exists()

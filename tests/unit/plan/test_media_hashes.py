"""Media hashes: a file whose size, times and inode are unchanged is not read again; any
change to its bytes is seen."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from contentctl.plan.media_hashes import MediaHashes


def _sha(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def test_an_unchanged_file_is_not_read_again_even_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"v" * 3_000_000)
    cache = tmp_path / "cache.json"
    first = MediaHashes(cache)
    assert first.digest(video) == _sha(b"v" * 3_000_000)
    first.save()

    real_open = open

    def no_read(file: object, *args: object, **kwargs: object) -> object:
        if Path(str(file)) == video:
            raise AssertionError("read an unchanged file again")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", no_read)
    assert MediaHashes(cache).digest(video) == _sha(b"v" * 3_000_000)


def test_changed_bytes_are_seen_even_with_the_same_size_and_mtime(tmp_path: Path) -> None:
    image = tmp_path / "hero.png"
    image.write_bytes(b"a" * 1000)
    hashes = MediaHashes(tmp_path / "cache.json")
    assert hashes.digest(image) == _sha(b"a" * 1000)
    stat = image.stat()

    # Rewritten in place with the same size, and its mtime put back.
    image.write_bytes(b"b" * 1000)
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert hashes.digest(image) == _sha(b"b" * 1000)  # the change time moved

    # Replaced by another file (an editor's save): a new inode.
    other = tmp_path / "other.png"
    other.write_bytes(b"c" * 1000)
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    other.replace(image)
    assert hashes.digest(image) == _sha(b"c" * 1000)


def test_a_broken_cache_file_means_hashing_again(tmp_path: Path) -> None:
    image = tmp_path / "hero.png"
    image.write_bytes(b"x")
    cache = tmp_path / "cache.json"
    cache.write_text("{not json")
    assert MediaHashes(cache).digest(image) == _sha(b"x")
    cache.write_text(json.dumps({str(image.resolve()): [1, 2, 3, 4, 5]}))
    assert MediaHashes(cache).digest(image) == _sha(b"x")

"""What an apply writes to keep its lockfile: bounded by the lockfile's size plus a little per
step, not a rewrite of the whole file per step (a cost of resources × changes).

Bytes are counted where they leave the process: every ``os.write`` to the lockfile, its
temporary files and its journal (the lockfile module writes through ``os.write`` only).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import pytest
from helpers import ROOT, Project

from contentctl.lockfile.journal import journal_path
from contentctl.lockfile.read import read
from contentctl.lockfile.text import dumps
from contentctl.lockfile.writer import LockfileWriter

sys.path.insert(0, str(ROOT))
from benchmarks.repos import make_repo

RESOURCES = 2000
PER_STEP = 4096

NEW_POST = """\
apiVersion: contentctl/v1
kind: Post
metadata: {{name: {name}}}
spec:
  post_types: [instagram-feed, x-post]
  captions: {{prompt: "Something new, number {i}", research_mode: regular}}
  images: {{prompt: "a product photo, number {i}", size: feed}}
"""
TEXT_POST = """\
apiVersion: contentctl/v1
kind: Post
metadata: {{name: {name}}}
spec:
  post_types: [x-post]
  captions: {{text: {{x: "Plain news, number {i}"}}}}
"""


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2,000-resource project, applied, with outputs as large as real ones."""
    root = make_repo(tmp_path_factory.mktemp("big") / "project", RESOURCES)
    size = root.joinpath("contentctl.lock").stat().st_size
    assert size > RESOURCES * 3000  # records with real outputs, not stubs
    return root


def _copy(big: Path, destination: Path) -> Project:
    import shutil

    shutil.copytree(big, destination)
    return Project(destination, {"CONTENTCTL_SANDBOX_LATENCY": "0"})


class _Counter:
    """Bytes written to the files of the lockfile at ``path``, by file name."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names = (path.name, f".{path.name}.", journal_path(path).name)
        self.by_file: dict[str, int] = {}
        real = os.write

        def write(fd: int, data: bytes) -> int:
            written = real(fd, data)
            try:
                name = Path(os.readlink(f"/proc/self/fd/{fd}")).name
            except OSError:
                return written
            if name.startswith(self.names):
                kind = "journal" if name.endswith(".journal") else "lockfile"
                self.by_file[kind] = self.by_file.get(kind, 0) + written
            return written

        monkeypatch.setattr(os, "write", write)

    @property
    def total(self) -> int:
        return sum(self.by_file.values())


def _steps(lock: dict[str, object]) -> int:
    resources = lock["resources"]
    assert isinstance(resources, dict)
    return sum(len(r["steps"]) for r in resources.values())


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name files")
def test_a_50_step_apply_into_2000_resources_writes_about_one_lockfile(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _copy(big, tmp_path / "project")
    for i in range(16):  # captions, images, post: 3 steps each
        project.write(f"content/new{i}.yaml", NEW_POST.format(name=f"new{i}", i=i))
    for i in range(2):  # one step each
        project.write(f"content/text{i}.yaml", TEXT_POST.format(name=f"text{i}", i=i))
    before = _steps(json.loads(project.lockfile.read_text()))
    counter = _Counter(project.lockfile, monkeypatch)

    applied = project.run("apply", "--auto-approve")

    assert applied.exit_code == 0, applied.output
    final = project.lockfile.read_bytes()
    steps = _steps(json.loads(final)) - before
    assert steps == 50
    assert len(json.loads(final)["resources"]) == RESOURCES + 18
    assert not journal_path(project.lockfile).exists()  # compacted at the end
    bound = 3 * len(final) + PER_STEP * steps
    assert len(final) <= counter.total <= bound, (counter.by_file, bound)
    assert counter.by_file.get("journal", 0) > 0  # the steps went through the journal


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name files")
def test_forgetting_50_resources_takes_the_same_cheap_path(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _copy(big, tmp_path / "project")
    gone = sorted(project.root.joinpath("content").glob("plain*.yaml"))[:50]
    addresses = []
    for manifest in gone:
        kind = "media" if "kind: Media" in manifest.read_text() else "post"
        addresses.append(
            f"{kind}/{manifest.stem.replace('plain', 'm' if kind == 'media' else 'plain')}"
        )
        manifest.unlink()
    config = project.root / "contentctl.yaml"
    config.write_text(
        config.read_text()
        + "  removed:\n"
        + "".join(f"    - {{address: {a}}}\n" for a in addresses)
    )
    counter = _Counter(project.lockfile, monkeypatch)

    applied = project.run("apply", "--auto-approve")

    assert applied.exit_code == 0, applied.output
    assert applied.output.count("forgotten") >= 50 or "50 forgotten" in applied.output
    final = project.lockfile.read_bytes()
    remaining = json.loads(final)["resources"]
    assert not set(addresses) & set(remaining)
    assert len(remaining) == RESOURCES - 50
    bound = 3 * len(final) + PER_STEP * 50
    assert len(final) <= counter.total <= bound, (counter.by_file, bound)
    assert counter.by_file.get("journal", 0) > 0


def test_the_next_apply_folds_a_killed_applys_journal_into_the_lockfile(
    applied: Project,
) -> None:
    """An apply killed after journalling its last record and before folding the journal
    leaves contentctl.lock behind its own records: the next apply, finding nothing to do,
    still folds them in, so that what git commits is whole."""
    whole = read(applied.lockfile)
    empty = dataclasses.replace(whole, resources={})
    applied.lockfile.write_text(dumps(empty.to_json()))
    writer = LockfileWriter(applied.lockfile, read(applied.lockfile), journal=True)
    for address, record in whole.resources.items():
        for name, step in record.steps.items():
            writer.record_step(address, record.kind, record.provider, record.source, name, step)
    del writer  # killed: the journal holds every record, contentctl.lock none
    journal = journal_path(applied.lockfile)
    assert journal.exists()
    sent = len(applied.requests())
    planned = applied.run("plan")
    assert planned.exit_code == 0 and "No changes" in planned.stdout  # the plan counts them
    assert "warning: contentctl.lock is behind the records" in planned.stderr
    assert json.loads(applied.lockfile.read_text())["resources"] == {}

    result = applied.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "No changes" in result.stdout and "Folded the records" in result.stdout
    assert not journal.exists()
    on_disk = json.loads(applied.lockfile.read_text())["resources"]
    assert set(on_disk) == set(whole.resources)
    assert read(applied.lockfile).resources == whole.resources
    assert len(applied.requests()) == sent  # nothing sent again

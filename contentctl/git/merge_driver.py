"""contentctl.lock's merge driver: installing it and its attribute, and reading the sides of
a conflicted lockfile for `contentctl lock resolve`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contentctl.git.repo import require

# contentctl.lock merges through `contentctl lock merge`: the attribute names the driver (in
# the repository, so every clone has it), the driver itself lives in each clone's git config.
MERGE_ATTRIBUTE = "contentctl.lock merge=contentctl"
MERGE_DRIVER = {
    "name": "contentctl lockfile merge (records of both branches, nothing lost)",
    "driver": "contentctl lock merge %O %A %B",
}


@dataclass(frozen=True)
class Stages:
    """The versions of a conflicted file in git's index; None where a side has none."""

    base: bytes | None
    ours: bytes | None
    theirs: bytes | None


def conflict_stages(path: Path) -> Stages | None:
    """Stages 1, 2 and 3 of ``path`` during a merge or rebase, or None if it is not conflicted.

    Raises outside a git repository.
    """
    repo, top = require(path.parent, "contentctl lock resolve")
    relative = path.resolve().relative_to(top).as_posix()
    found = repo.index.unmerged_blobs().get(relative)
    if not found:
        return None
    blobs = {stage: blob.data_stream.read() for stage, blob in found}
    return Stages(blobs.get(1), blobs.get(2), blobs.get(3))


def add(path: Path) -> None:
    """Stage ``path`` (which marks a conflicted file resolved)."""
    repo, top = require(path.parent, "git add")
    repo.git.add("--", path.resolve().relative_to(top).as_posix())


def install_merge_driver(path: Path) -> bool:
    """Configure the contentctl merge driver in the git config of the repository holding
    ``path``. Returns False when it was already configured so."""
    repo, _ = require(path, "contentctl lock install-driver")
    section = 'merge "contentctl"'
    reader = repo.config_reader("repository")
    current = {
        key: reader.get_value(section, key, default="") if reader.has_section(section) else ""
        for key in MERGE_DRIVER
    }
    if current == MERGE_DRIVER:
        return False
    with repo.config_writer("repository") as writer:
        for key, value in MERGE_DRIVER.items():
            writer.set_value(section, key, value)
    return True


def add_merge_attribute(directory: Path) -> bool:
    """Make sure ``directory/.gitattributes`` routes contentctl.lock to the merge driver,
    keeping whatever else it says. Returns False when it already did."""
    path = directory / ".gitattributes"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if MERGE_ATTRIBUTE in (line.strip() for line in text.splitlines()):
        return False
    separator = "\n" if text and not text.endswith("\n") else ""
    path.write_text(f"{text}{separator}{MERGE_ATTRIBUTE}\n", encoding="utf-8")
    return True

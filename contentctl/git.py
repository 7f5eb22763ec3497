"""Git, for content repositories: the only module that uses gitpython (imported lazily).

Everything here degrades quietly outside a git repository: no commit to record, nothing
dirty, no way to compute changes (that one is an error, since the user asked for it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl.errors import ContentctlError

if TYPE_CHECKING:
    import git

DEFAULT_AUTHOR = ("contentctl", "contentctl@users.noreply.github.com")


def _repo(path: Path) -> git.Repo | None:
    import git

    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def root(path: Path) -> Path | None:
    repo = _repo(path)
    return Path(repo.working_tree_dir) if repo and repo.working_tree_dir else None


def head_commit(path: Path) -> str | None:
    """The commit checked out, or None outside git or before the first commit."""
    repo = _repo(path)
    if repo is None:
        return None
    try:
        return str(repo.head.commit.hexsha)
    except ValueError:
        return None


def dirty_files(project: Path, ignore: tuple[str, ...] = ()) -> list[str]:
    """Files of the project (relative to it) that differ from HEAD, untracked ones included."""
    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        return []
    top = Path(repo.working_tree_dir)
    prefix = project.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    changed = repo.git.status("--porcelain", "--untracked-files=all", "--", prefix or ".")
    names = [line[3:].split(" -> ")[-1].strip('"') for line in changed.splitlines() if line]
    out = [n[len(prefix) :] for n in names if n.startswith(prefix)]
    return sorted(n for n in out if not n.startswith(ignore))


def changed_since(project: Path, ref: str) -> set[str]:
    """Project files (relative to it) that differ between ``ref`` and the working tree."""
    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError(
            "--changed-since needs a git repository", hint=f"{project} is not inside one"
        )
    import git

    try:
        repo.commit(ref)
    except (git.BadName, ValueError):
        raise ContentctlError(
            f"--changed-since: unknown git revision {ref!r}",
            hint="fetch it first (actions/checkout with fetch-depth: 0)",
        ) from None
    top = Path(repo.working_tree_dir).resolve()
    prefix = project.resolve().relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    names = set(repo.git.diff("--name-only", ref, "--", prefix or ".").splitlines())
    names |= set(repo.untracked_files)
    return {n[len(prefix) :] for n in names if n.startswith(prefix)}


def commit_paths(project: Path, paths: list[Path], message: str, push: bool) -> str:
    """Commit exactly ``paths`` (nothing else staged goes in); optionally push. Returns sha."""
    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError("--commit needs a git repository")
    top = Path(repo.working_tree_dir).resolve()
    relative = [p.resolve().relative_to(top).as_posix() for p in paths]
    identity: list[str] = []
    reader = repo.config_reader()
    if not reader.has_option("user", "email") and "GIT_AUTHOR_EMAIL" not in os.environ:
        identity = ["-c", f"user.name={DEFAULT_AUTHOR[0]}", "-c", f"user.email={DEFAULT_AUTHOR[1]}"]
    repo.git.add("--", *relative)
    repo.git.execute(["git", *identity, "commit", "--quiet", "-m", message, "--", *relative])
    sha = str(repo.head.commit.hexsha)
    if push:
        branch = repo.active_branch.name
        repo.git.push("origin", f"HEAD:{branch}")
    return sha


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
    repo, top = _require(path.parent, "contentctl lock resolve")
    relative = path.resolve().relative_to(top).as_posix()
    found = repo.index.unmerged_blobs().get(relative)
    if not found:
        return None
    blobs = {stage: blob.data_stream.read() for stage, blob in found}
    return Stages(blobs.get(1), blobs.get(2), blobs.get(3))


def add(path: Path) -> None:
    """Stage ``path`` (which marks a conflicted file resolved)."""
    repo, top = _require(path.parent, "git add")
    repo.git.add("--", path.resolve().relative_to(top).as_posix())


def install_merge_driver(path: Path) -> bool:
    """Configure the contentctl merge driver in the git config of the repository holding
    ``path``. Returns False when it was already configured so."""
    repo, _ = _require(path, "contentctl lock install-driver")
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


def _require(path: Path, what: str) -> tuple[git.Repo, Path]:
    """The repository holding ``path`` and its top folder; raises outside one."""
    repo = _repo(path)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError(
            f"{what} needs a git repository", hint=f"{path.resolve()} is not inside one (git init)"
        )
    return repo, Path(repo.working_tree_dir).resolve()

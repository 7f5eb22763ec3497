"""Git, for content repositories: the only module that uses gitpython (imported lazily).

Everything here degrades quietly outside a git repository: no commit to record, nothing
dirty, no way to compute changes (that one is an error, since the user asked for it).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
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


def folder_in_repository(path: Path) -> str:
    """The folder ``path`` as git names it from the top of its repository (``site`` for a
    project in ``site/``, "" at the top or outside git): GitHub attaches annotations to a
    pull request's files only by paths relative to the top."""
    import git

    repo = _repo(path)
    if repo is None:
        return ""
    try:
        top = Path(repo.git.rev_parse("--show-toplevel")).resolve()
        relative = path.resolve().relative_to(top).as_posix()
    except (git.GitCommandError, ValueError):
        return ""
    return "" if relative == "." else relative


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
    """Files that differ between ``ref`` and the working tree, relative to the project:
    its own (``content/a.yaml``) and the repository's others (``../shared/templates/m.j2``:
    a shared template library the project may render)."""
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
    names = set(repo.git.diff("--name-only", ref, "--", ".").splitlines())
    names |= set(repo.untracked_files)
    return {
        n[len(prefix) :]
        if n.startswith(prefix)
        else Path(os.path.relpath(top / n, project.resolve())).as_posix()
        for n in names
    }


def commit_paths(project: Path, paths: list[Path], message: str) -> str:
    """Commit exactly ``paths`` (nothing else staged goes in). Returns the commit."""
    import git

    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError("--commit needs a git repository")
    top = Path(repo.working_tree_dir).resolve()
    relative = [p.resolve().relative_to(top).as_posix() for p in paths]
    try:
        repo.git.add("--", *relative)
        repo.git.execute(
            ["git", *_identity(repo), "commit", "--quiet", "-m", message, "--", *relative]
        )
    except git.GitCommandError as exc:
        raise ContentctlError(
            f"git commit failed: {_first_line(exc)}",
            hint="fix what git says, then run `contentctl lock commit` to commit the lockfile",
        ) from None
    return str(repo.head.commit.hexsha)


class PushError(ContentctlError):
    """The lockfile commit could not be pushed; what was pushed and what was not is said."""


Merge = Callable[[str | None, str, str | None], str]  # (base, ours, theirs) -> merged text
PUSH_ATTEMPTS = 5


def push_lockfile(project: Path, lockfile_path: Path, merge: Merge) -> str:
    """Push the current branch; when the remote moved, build the lockfile commit again on
    top of it (the lockfiles merged) and retry, up to ``PUSH_ATTEMPTS`` times.

    Only commits that change the lockfile alone are rebuilt: anything else the branch has
    that the remote has not is the user's to merge. Returns the pushed commit.
    """
    import git

    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        raise PushError("--push needs a git repository")
    if repo.head.is_detached:
        raise PushError(
            "cannot push from a detached HEAD", hint="check out the branch to push (main)"
        )
    branch = repo.active_branch.name
    top = Path(repo.working_tree_dir).resolve()
    path = lockfile_path.resolve().relative_to(top).as_posix()
    reason = ""
    for _attempt in range(PUSH_ATTEMPTS):
        try:
            repo.git.push("origin", f"HEAD:refs/heads/{branch}")
            return str(repo.head.commit.hexsha)
        except git.GitCommandError as exc:
            reason = _first_line(exc)
            if not _lost_race(exc):
                raise PushError(f"git push was refused: {reason}") from None
        try:
            repo.git.fetch("origin", branch)
        except git.GitCommandError as exc:
            raise PushError(f"git fetch failed: {_first_line(exc)}") from None
        try:
            _rebuild_on(repo, repo.commit("FETCH_HEAD"), path, merge)
        except git.GitCommandError as exc:
            raise PushError(f"cannot build on the remote's branch: {_first_line(exc)}") from None
    raise PushError(
        f"the remote kept moving: {PUSH_ATTEMPTS} pushes lost the race ({reason})",
        hint="run `contentctl lock commit --push` again",
    )


def _rebuild_on(repo: git.Repo, theirs: git.Commit, path: str, merge: Merge) -> None:
    """Move the branch onto ``theirs`` with one commit: the lockfiles of both merged."""
    import git

    base_sha = repo.git.merge_base("HEAD", theirs.hexsha)
    changed = set(repo.git.diff("--name-only", base_sha, "HEAD").splitlines())
    if changed - {path}:
        raise PushError(
            "the remote moved, and this branch has commits other than contentctl.lock's that "
            f"the remote does not: {', '.join(sorted(changed - {path})[:5])}",
            hint="merge them yourself: git pull (the lockfile merges with `contentctl lock "
            "resolve`), then git push",
        )
    merged = merge(
        _show(repo, base_sha, path),
        _show(repo, "HEAD", path) or "",
        _show(repo, theirs.hexsha, path),
    )
    message = str(repo.head.commit.message)
    with tempfile.TemporaryDirectory() as scratch:
        text = Path(scratch) / "contentctl.lock"
        text.write_text(merged, encoding="utf-8")
        blob = repo.git.hash_object("-w", str(text))
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        repo.git.read_tree(theirs.hexsha, env=env)
        repo.git.update_index("--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = repo.git.write_tree(env=env)
    identity = _identity(repo)
    commit = repo.git.execute(
        ["git", *identity, "commit-tree", tree, "-p", theirs.hexsha, "-m", message]
    )
    try:
        repo.git.reset("--keep", commit)
    except git.GitCommandError as exc:
        raise PushError(
            f"cannot move the branch onto the remote's: {_first_line(exc)}",
            hint="commit or stash local changes, then run `contentctl lock commit --push`",
        ) from None


def _show(repo: git.Repo, commit: str, path: str) -> str | None:
    import git

    try:
        return str(repo.git.show(f"{commit}:{path}", strip_newline_in_stdout=False))
    except git.GitCommandError:
        return None  # not in that commit


def _identity(repo: git.Repo) -> list[str]:
    reader = repo.config_reader()
    if not reader.has_option("user", "email") and "GIT_AUTHOR_EMAIL" not in os.environ:
        return ["-c", f"user.name={DEFAULT_AUTHOR[0]}", "-c", f"user.email={DEFAULT_AUTHOR[1]}"]
    return []


# How a remote refuses a push that raced another push to the same branch (the ref moved,
# or was locked, between its check and its update): as much a lost race as "fetch first".
RACED = ("failed to update ref", "cannot lock ref", "incorrect old value")


def _lost_race(exc: Exception) -> bool:
    """A push refused because the remote has commits this branch lacks, or because another
    push updated the branch at the same moment (not a server veto: a hook, a protection)."""
    text = str(getattr(exc, "stderr", "") or exc)
    if "remote rejected" in text:
        return any(reason in text for reason in RACED)
    return "[rejected]" in text


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "stderr", "") or exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if "rejected" in line or line.startswith(("error", "fatal"))]
    return (useful or lines or ["unknown error"])[0].removeprefix("stderr: ").strip("' ")


def lockfile_state(project: Path, lockfile_path: Path) -> tuple[bool, bool]:
    """(the working tree's lockfile differs from HEAD's, HEAD has commits origin lacks)."""
    import git

    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        raise ContentctlError("this needs a git repository")
    top = Path(repo.working_tree_dir).resolve()
    path = lockfile_path.resolve().relative_to(top).as_posix()
    modified = bool(repo.git.status("--porcelain", "--", path))
    ahead = True
    if not repo.head.is_detached:
        branch = repo.active_branch.name
        # No remote-tracking branch (never fetched): assume it must be pushed.
        with contextlib.suppress(git.GitCommandError):
            ahead = bool(repo.git.rev_list(f"refs/remotes/origin/{branch}..HEAD"))
    return modified, ahead


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


def lockfile_base(project: Path, lockfile_path: Path) -> str | None:
    """The lockfile where this branch left the remote's (merge base), else at HEAD."""
    import git

    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        return None
    top = Path(repo.working_tree_dir).resolve()
    path = lockfile_path.resolve().relative_to(top).as_posix()
    where = "HEAD"
    if not repo.head.is_detached:
        with contextlib.suppress(git.GitCommandError):
            where = repo.git.merge_base("HEAD", f"refs/remotes/origin/{repo.active_branch.name}")
    return _show(repo, where, path)


# A runner that dies outright (SIGKILL, a lost machine) takes its disk with it: before any
# creating request goes out, the lockfile is also pushed here, beside the branch, where the
# next apply finds it (see contentctl.checkpoint).
CHECKPOINT_REF = "refs/contentctl/checkpoint/"
# A project below the repository's top has its own (many projects apply in parallel on one
# branch: one checkpoint per branch would let one project's overwrite or delete another's).
PROJECT_CHECKPOINT_REF = "refs/contentctl/projects/{folder}/checkpoint/"
UNSAFE_IN_REF = re.compile(r"[^A-Za-z0-9_/-]+")  # no dots: no "..", ".lock" or ".hidden"


def checkpoint_ref(repo: git.Repo, project: Path) -> str:
    """Where the checkpoints of ``project`` on the current branch go."""
    top = Path(str(repo.working_tree_dir)).resolve()
    folder = project.resolve().relative_to(top).as_posix()
    if folder in ("", "."):
        return CHECKPOINT_REF + repo.active_branch.name
    safe = UNSAFE_IN_REF.sub("-", folder).strip("/")
    return PROJECT_CHECKPOINT_REF.format(folder=safe) + repo.active_branch.name


def push_checkpoint(project: Path, lockfile_path: Path, text: str) -> None:
    """Push ``text`` as the lockfile of a commit on top of HEAD, to the checkpoint ref."""
    import git

    repo = _repo(project)
    if repo is None or not repo.working_tree_dir or repo.head.is_detached:
        raise PushError("checkpoints need a git repository on a branch")
    top = Path(repo.working_tree_dir).resolve()
    path = lockfile_path.resolve().relative_to(top).as_posix()
    ref = checkpoint_ref(repo, lockfile_path.parent)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            saved = Path(scratch) / "contentctl.lock"
            saved.write_text(text, encoding="utf-8")
            blob = repo.git.hash_object("-w", str(saved))
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            repo.git.read_tree("HEAD", env=env)
            repo.git.update_index("--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            tree = repo.git.write_tree(env=env)
        commit = repo.git.execute(
            [
                "git",
                *_identity(repo),
                "commit-tree",
                tree,
                "-p",
                "HEAD",
                "-m",
                "contentctl checkpoint",
            ]
        )
        repo.git.push("--quiet", "--force", "origin", f"{commit}:{ref}")
    except git.GitCommandError as exc:
        raise PushError(f"cannot push a checkpoint to {ref}: {_first_line(exc)}") from None


def fetch_checkpoint(project: Path, lockfile_path: Path) -> tuple[str | None, str] | None:
    """(the lockfile the checkpointed run started from, the checkpoint's), or None."""
    import git

    repo = _repo(project)
    if repo is None or not repo.working_tree_dir or repo.head.is_detached:
        return None
    top = Path(repo.working_tree_dir).resolve()
    path = lockfile_path.resolve().relative_to(top).as_posix()
    ref = checkpoint_ref(repo, lockfile_path.parent)
    try:
        repo.git.fetch("--quiet", "origin", f"+{ref}:{ref}")
    except git.GitCommandError as exc:
        if "couldn't find remote ref" in str(exc.stderr):
            return None
        raise PushError(f"cannot fetch the checkpoint {ref}: {_first_line(exc)}") from None
    saved = _show(repo, ref, path)
    return (_show(repo, f"{ref}^", path), saved) if saved is not None else None


def drop_checkpoint(project: Path) -> None:
    """Delete the checkpoint: the branch itself now has everything it recorded."""
    import git

    repo = _repo(project)
    if repo is None or repo.head.is_detached or not repo.working_tree_dir:
        return
    ref = checkpoint_ref(repo, project)
    with contextlib.suppress(git.GitCommandError):
        repo.git.push("--quiet", "origin", f":{ref}")
    with contextlib.suppress(git.GitCommandError):
        repo.git.update_ref("-d", ref)


def lockfile_versions(
    project: Path, lockfile_path: Path, since: str
) -> list[tuple[str, str | None]]:
    """The lockfile where this branch left ``since`` (their merge base; None when it had
    none), then each version a commit of the branch made, oldest first: (commit, text).
    Empty outside a repository or when ``since`` is unknown."""
    import git

    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        return []
    top = Path(repo.working_tree_dir).resolve()
    path = lockfile_path.resolve().relative_to(top).as_posix()
    try:
        base = repo.git.merge_base(since, "HEAD").strip()
        commits = repo.git.log("--format=%H", "--reverse", f"{base}..HEAD", "--", path).split()
    except git.GitCommandError:
        return []
    versions: list[tuple[str, str | None]] = [(base, _show(repo, base, path))]
    for commit in commits:
        text = _show(repo, commit, path)
        if text is not None:
            versions.append((commit, text))
    return versions


def show_lockfile(project: Path, lockfile_path: Path, ref: str) -> str | None:
    """The lockfile's text at ``ref``, or None (no such revision, no lockfile there)."""
    import git

    repo = _repo(project)
    if repo is None or not repo.working_tree_dir:
        return None
    top = Path(repo.working_tree_dir).resolve()
    path = lockfile_path.resolve().relative_to(top).as_posix()
    try:
        return _show(repo, repo.git.rev_parse(ref).strip(), path)
    except git.GitCommandError:
        return None

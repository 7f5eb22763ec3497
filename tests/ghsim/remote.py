"""The repository on "GitHub": a local bare repository, cloned the way actions/checkout does,
and pushed to by other people while a workflow runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The harness's own git calls ignore the user's configuration (signing, hooks, aliases).
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0"}
IDENTITY = ("-c", "user.name=Content Writer", "-c", "user.email=writer@example.com")


class GitError(Exception):
    pass


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise GitError(f"git {' '.join(args)} in {cwd}: {result.stderr.strip()}")
    return result.stdout.strip()


class BareRemote:
    """``origin``: a bare repository with a ``main`` branch."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def seed(cls, project: Path, path: Path, message: str = "Content repository") -> BareRemote:
        """A bare repository whose ``main`` holds exactly ``project``'s files."""
        path.mkdir(parents=True)
        git(path, "init", "--quiet", "--bare", "--initial-branch=main")
        with tempfile.TemporaryDirectory(prefix="seed-") as scratch:
            work = Path(scratch) / "work"
            shutil.copytree(project, work)
            git(work, "init", "--quiet", "--initial-branch=main")
            git(work, "add", "-A")
            git(work, *IDENTITY, "commit", "--quiet", "-m", message)
            git(work, "push", "--quiet", str(path), "main")
        return cls(path)

    def checkout(self, workspace: Path, ref: str = "main", fetch_depth: int = 1) -> str:
        """What actions/checkout does in an empty workspace; returns the commit checked out.

        The same commands it runs: init, add origin, fetch every branch (all history when
        ``fetch_depth`` is 0), then ``checkout --force -B <branch>`` of the remote branch."""
        workspace.mkdir(parents=True, exist_ok=True)
        if any(workspace.iterdir()):
            raise GitError(f"{workspace} is not empty")
        git(workspace, "init", "--quiet", "--initial-branch=main")
        git(workspace, "remote", "add", "origin", str(self.path))
        depth = [] if fetch_depth == 0 else [f"--depth={fetch_depth}"]
        git(
            workspace,
            "-c",
            "protocol.version=2",
            "fetch",
            "--quiet",
            "--prune",
            "--no-recurse-submodules",
            *depth,
            "origin",
            "+refs/heads/*:refs/remotes/origin/*",
            "+refs/tags/*:refs/tags/*",
        )
        if ref.startswith("refs/pull/"):
            # A pull request's merge commit, fetched and checked out detached, as named there.
            local = ref.replace("refs/pull/", "refs/remotes/pull/", 1)
            git(workspace, "fetch", "--quiet", *depth, "origin", f"+{ref}:{local}")
            git(workspace, "checkout", "--quiet", "--force", local)
        else:
            git(
                workspace, "checkout", "--quiet", "--force", "-B", ref, f"refs/remotes/origin/{ref}"
            )
        return git(workspace, "rev-parse", "HEAD")

    def clone(self, destination: Path) -> Path:
        """A plain clone with an identity, for people and scripts other than the workflow."""
        git(destination.parent, "clone", "--quiet", str(self.path), destination.name)
        git(destination, "config", "user.name", "Content Writer")
        git(destination, "config", "user.email", "writer@example.com")
        return destination

    def head(self, branch: str = "main") -> str:
        return git(self.path, "rev-parse", f"refs/heads/{branch}")

    def show(self, path: str, ref: str = "main") -> str | None:
        """A file's text at ``ref`` (``origin/main`` as a fresh clone sees it), or None."""
        result = subprocess.run(
            ["git", "show", f"{ref}:{path}"],
            cwd=self.path,
            env={**os.environ, **GIT_ENV},
            capture_output=True,
            check=False,
        )
        return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None

    def history(self, path: str, ref: str = "main") -> list[tuple[str, str]]:
        """Every version of ``path`` ever on ``ref``: (commit, text), oldest first."""
        commits = git(self.path, "log", "--format=%H", "--reverse", ref, "--", path).split()
        versions = []
        for commit in commits:
            text = self.show(path, commit)
            if text is not None:
                versions.append((commit, text))
        return versions

    def subjects(self, ref: str = "main") -> list[str]:
        return git(self.path, "log", "--format=%s", ref).splitlines()

    def push_change(
        self, scratch: Path, files: Mapping[str, str | None], message: str, attempts: int = 5
    ) -> str:
        """Another person's commit on main (``None`` deletes a file), pushed from their own
        clone in ``scratch``; a push that loses a race is rebased and pushed again."""
        work = self.clone(scratch)
        for relative, text in files.items():
            target = work / relative
            if text is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        git(work, "add", "-A")
        git(work, "commit", "--quiet", "-m", message)
        return push_with_rebase(work, attempts)


@dataclass(frozen=True)
class PullRequest:
    """A pull request as GitHub keeps it: its branch's head, and the merge commit of that
    head into main (``refs/pull/N/merge``) that a pull_request run checks out."""

    number: int
    branch: str
    head_sha: str
    merge_sha: str

    @property
    def ref(self) -> str:
        return f"refs/pull/{self.number}/merge"


def push_pull_request(
    remote: BareRemote,
    scratch: Path,
    number: int,
    branch: str,
    files: Mapping[str, str | None],
    message: str,
) -> PullRequest:
    """A commit on ``branch`` (made from main when the branch is new), pushed, with the pull
    request's refs GitHub would update: ``refs/pull/N/head`` and ``refs/pull/N/merge``."""
    work = remote.clone(scratch)
    exists = git(work, "ls-remote", "--heads", "origin", branch)
    git(work, "checkout", "--quiet", "-B", branch, f"origin/{branch}" if exists else "origin/main")
    for relative, text in files.items():
        target = work / relative
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", message)
    head = git(work, "rev-parse", "HEAD")
    git(work, "push", "--quiet", "--force", "origin", f"HEAD:refs/heads/{branch}")
    git(work, "checkout", "--quiet", "--detach", "origin/main")
    git(work, "merge", "--quiet", "--no-ff", "-m", f"Merge {head} into main", head)
    merge = git(work, "rev-parse", "HEAD")
    git(work, "push", "--quiet", "--force", "origin", f"{head}:refs/pull/{number}/head")
    git(work, "push", "--quiet", "--force", "origin", f"{merge}:refs/pull/{number}/merge")
    return PullRequest(number, branch, head, merge)


def merge_pull_request(remote: BareRemote, scratch: Path, pull: PullRequest) -> str:
    """The merge button: main gets a merge commit of the pull request's head."""
    work = remote.clone(scratch)
    git(
        work,
        "merge",
        "--quiet",
        "--no-ff",
        "-m",
        f"Merge pull request #{pull.number}",
        pull.head_sha,
    )
    return push_with_rebase(work)


def push_with_rebase(work: Path, attempts: int = 5) -> str:
    """Push ``main``; when someone pushed first, rebase onto theirs and try again."""
    for _attempt in range(attempts):
        result = subprocess.run(
            ["git", "push", "--quiet", "origin", "HEAD:main"],
            cwd=work,
            env={**os.environ, **GIT_ENV},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            return git(work, "rev-parse", "HEAD")
        git(work, "pull", "--quiet", "--rebase", "origin", "main")
    raise GitError(f"could not push from {work} in {attempts} attempts")

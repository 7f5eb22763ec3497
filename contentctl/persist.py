"""After an apply: the lockfile flushed, committed and pushed, or saved where it can be
recovered. The lockfile is the only record of what was paid for: it is never lost quietly.

A push that loses a race fetches, merges the lockfiles (records are keyed per resource)
and tries again. When it still cannot be pushed (or written at all), the lockfile is saved
in a recovery folder — in GitHub Actions, ``$RUNNER_TEMP/contentctl-recovery``, which the
scaffolded workflow uploads as an artifact — with the command that recovers it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from contentctl.errors import ContentctlError, LockfileError
from contentctl.lockfile.durable import write_atomic
from contentctl.lockfile.files import compact
from contentctl.lockfile.records import Lockfile
from contentctl.lockfile.text import dumps, parse
from contentctl.lockfile.writer import LockfileWriter

RECOVERY_VARIABLE = "CONTENTCTL_RECOVERY_DIR"
BASE_NAME = "contentctl.lock.base"


@dataclass(frozen=True)
class Saved:
    """Where a lockfile that could not be committed or pushed was saved."""

    folder: Path
    reason: str
    push: bool = False  # it was to be pushed: recovering it means committing and pushing

    def error(self, environ: Mapping[str, str]) -> ContentctlError:
        then = " --commit --push" if self.push else ""
        if environ.get("GITHUB_ACTIONS") == "true":
            how = (
                "download this run's contentctl-recovery artifact, then in a checkout of the "
                f"branch run `contentctl lock recover FOLDER{then}` (FOLDER: the artifact's "
                "folder)"
            )
        else:
            how = f"once the cause is fixed, run `contentctl lock recover {self.folder}{then}`"
        return ContentctlError(
            f"{self.reason}; the lockfile is saved in {self.folder}",
            hint=f"nothing it records is lost: {how}",
        )


def recovery_folder(project_root: Path, environ: Mapping[str, str]) -> Path:
    if environ.get(RECOVERY_VARIABLE):
        return Path(environ[RECOVERY_VARIABLE])
    if environ.get("GITHUB_ACTIONS") == "true" and environ.get("RUNNER_TEMP"):
        return Path(environ["RUNNER_TEMP"]) / "contentctl-recovery"
    return project_root / ".contentctl" / "recovery"


def save_for_recovery(
    current: Lockfile, base: Lockfile, folders: list[Path], reason: str, *, push: bool = False
) -> Saved | None:
    """Write the lockfile (and the one it started from) into the first folder that takes it."""
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(folder / "contentctl.lock", dumps(current.to_json()))
            if base.exists:
                write_atomic(folder / BASE_NAME, dumps(base.to_json()))
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(folder / BASE_NAME)
        except OSError:
            continue
        return Saved(folder, reason, push)
    return None


def merge_texts(base: str | None, ours: str, theirs: str | None) -> str:
    """The git push retry's merge: both sides' records, nothing dropped."""
    from contentctl.lockfile.merge import merge

    if theirs is None:
        return ours
    merged = merge(
        parse(base, "the common lockfile") if base else None,
        parse(ours, "this run's lockfile"),
        parse(theirs, "the remote's lockfile"),
    )
    return dumps(merged.lockfile.to_json())


def commit_and_push(
    project_root: Path, path: Path, message: str, *, push: bool
) -> tuple[str | None, str | None]:
    """Commit the lockfile if it changed, then push if asked. (commit made, commit pushed)."""
    from contentctl.git.commit import commit_paths, lockfile_state
    from contentctl.git.push import push_lockfile

    compact(path)  # what a killed apply left in its journal is committed too
    modified, ahead = lockfile_state(project_root, path)
    made = commit_paths(project_root, [path], message) if modified else None
    pushed = None
    if push and (made or ahead):
        pushed = push_lockfile(project_root, path, merge_texts)
    return made, pushed


def flush_or_save(writer: LockfileWriter, base: Lockfile, folders: list[Path]) -> Saved | None:
    """Write what only memory holds; if the disk still refuses, save it for recovery."""
    try:
        writer.flush()
    except LockfileError as exc:
        saved = save_for_recovery(writer.current, base, folders, exc.message)
        if saved is None:
            raise LockfileError(
                f"{exc.message}, and it could not be saved anywhere else either",
                hint="the records are below, as JSON: save them as contentctl.lock once the "
                "disk takes writes again\n" + dumps(writer.current.to_json()),
            ) from exc
        return saved
    return None


def adopt_checkpoint(project_root: Path, path: Path) -> str | None:
    """Merge into the lockfile the checkpoint an apply that died outright left on the
    remote; returns what was adopted, or None when there was nothing to adopt."""
    from contentctl.git.checkpoints import fetch_checkpoint

    found = fetch_checkpoint(project_root, path)
    if found is None:
        return None
    base, saved = found
    current = path.read_text(encoding="utf-8") if path.exists() else None
    merged = saved if current is None else merge_texts(base, current, saved)
    if merged == current:
        return "nothing new"
    before = set(parse(current).resources) if current else set()
    write_atomic(path, merged)
    after = parse(merged)
    pending = sum(
        1 for r in after.resources.values() for s in r.steps.values() if s.status != "completed"
    )
    added = len(set(after.resources) - before)
    return f"{added} resources it created, {pending} steps to collect or reconcile"

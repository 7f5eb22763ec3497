"""The repository a project lives in: its top folder, found without git (cheap, and the same
answer git gives for an ordinary checkout, a worktree or a submodule)."""

from __future__ import annotations

from pathlib import Path


def top(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` holding ``.git`` (a folder, or the file of a
    worktree or submodule); None outside any repository."""
    here = path.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None

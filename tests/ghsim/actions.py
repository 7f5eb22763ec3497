"""The actions the scaffolded workflows use, simulated: checkout, setup-python, upload-artifact,
download-artifact (of this run, or of another run by ``run-id``, as a workflow_run job does).

upload-artifact follows @actions/glob as upload-artifact >= 4.4 calls it: a pattern's search
root is its part before the first glob segment, and every item the search visits (the root
included) whose name starts with a dot is skipped unless ``include-hidden-files`` is true. So
a hidden folder, or a glob into one, uploads nothing, while a file named literally uploads.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ghsim.remote import BareRemote

GLOB = re.compile(r"[*?\[]")
PIP_INSTALL = re.compile(r"^\s*(python3? -m )?pip3? install\b")


class ActionError(Exception):
    """The action failed, as it would on GitHub (the step fails)."""


@dataclass(frozen=True)
class ActionContext:
    workspace: Path
    artifacts: Path
    remote: BareRemote
    notes: list[str]
    github: Mapping[str, str] = field(default_factory=dict)
    runs: Mapping[int, Path] = field(default_factory=dict)  # other runs' artifacts, by run id


Action = Callable[[ActionContext, Mapping[str, Any]], None]


def _check_inputs(action: str, inputs: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(inputs) - allowed
    if unknown:
        raise NotImplementedError(f"{action}: inputs {sorted(unknown)} are not simulated")


def checkout(ctx: ActionContext, inputs: Mapping[str, Any]) -> None:
    _check_inputs(
        "actions/checkout", inputs, {"ref", "fetch-depth", "persist-credentials", "token"}
    )
    # Without a ref, what triggered the run: a branch, or a pull request's merge commit.
    default = ctx.github.get("ref", "refs/heads/main").removeprefix("refs/heads/")
    ref = str(inputs.get("ref") or default)
    depth = int(inputs.get("fetch-depth", 1))
    sha = ctx.remote.checkout(ctx.workspace, ref=ref, fetch_depth=depth)
    ctx.notes.append(f"checked out {ref} at {sha[:12]} (fetch-depth {depth})")


def setup_python(ctx: ActionContext, inputs: Mapping[str, Any]) -> None:
    _check_inputs("actions/setup-python", inputs, {"python-version", "cache"})
    ctx.notes.append("simulated: the Python of the environment under test is used")


def upload_artifact(ctx: ActionContext, inputs: Mapping[str, Any]) -> None:
    _check_inputs(
        "actions/upload-artifact",
        inputs,
        {
            "name",
            "path",
            "if-no-files-found",
            "include-hidden-files",
            "retention-days",
            "overwrite",
            "compression-level",
        },
    )
    name = str(inputs.get("name") or "artifact")
    patterns = [
        line.strip()
        for line in str(inputs.get("path") or "").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    if not patterns:
        raise ActionError("upload-artifact: input path is required")
    hidden = str(inputs.get("include-hidden-files", "false")).lower() == "true"
    files = find_files(ctx.workspace, patterns, include_hidden=hidden)
    destination = ctx.artifacts / name
    if destination.exists() and str(inputs.get("overwrite", "false")).lower() != "true":
        raise ActionError(f"an artifact named {name!r} already exists in this run")
    if not files:
        behaviour = str(inputs.get("if-no-files-found") or "warn")
        message = f"No files were found with the provided path: {' '.join(patterns)}."
        if behaviour == "error":
            raise ActionError(message)
        ctx.notes.append(("warning: " if behaviour == "warn" else "") + message)
        return
    root = Path(os.path.commonpath([str(_search_root(ctx.workspace, p)) for p in patterns]))
    if root.is_file() or any(root == f for f in files):
        root = root.parent
    shutil.rmtree(destination, ignore_errors=True)
    for file in files:
        target = destination / file.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
    ctx.notes.append(f"uploaded {len(files)} file(s) as artifact {name!r}")


def download_artifact(ctx: ActionContext, inputs: Mapping[str, Any]) -> None:
    """One artifact by name, into ``path`` (the workspace by default). With ``run-id``, of
    that run, which needs a ``github-token`` that may read it, as on GitHub."""
    _check_inputs(
        "actions/download-artifact",
        inputs,
        {"name", "path", "run-id", "github-token", "repository", "pattern", "merge-multiple"},
    )
    name = str(inputs.get("name") or "")
    if not name and inputs.get("pattern"):
        _download_matching(ctx, inputs)
        return
    if not name:
        raise NotImplementedError("actions/download-artifact: downloading every artifact")
    run_id = str(inputs.get("run-id") or "")
    if run_id and not inputs.get("github-token"):
        raise ActionError("run-id needs github-token: artifacts of other runs are private")
    folder = ctx.runs.get(int(run_id)) if run_id else ctx.artifacts
    source = folder / name if folder is not None else None
    if source is None or not source.is_dir():
        raise ActionError(f"Unable to download artifact(s): Artifact not found for name: {name}")
    target = Path(_absolute(ctx.workspace, str(inputs.get("path") or ".")))
    shutil.copytree(source, target, dirs_exist_ok=True)
    count = sum(1 for f in target.rglob("*") if f.is_file())
    ctx.notes.append(f"downloaded artifact {name!r} (run {run_id or 'this'}): {count} file(s)")


def _download_matching(ctx: ActionContext, inputs: Mapping[str, Any]) -> None:
    """Every artifact of this run whose name matches ``pattern``: each into ``path/NAME``,
    or with ``merge-multiple``, all into ``path`` itself. None matching is no error."""
    if inputs.get("run-id"):
        raise NotImplementedError("actions/download-artifact: pattern with run-id")
    pattern = str(inputs["pattern"])
    merge = str(inputs.get("merge-multiple", "false")).lower() == "true"
    target = Path(_absolute(ctx.workspace, str(inputs.get("path") or ".")))
    found = sorted(
        p
        for p in (ctx.artifacts.iterdir() if ctx.artifacts.is_dir() else ())
        if p.is_dir() and fnmatch.fnmatchcase(p.name, pattern)
    )
    for artifact in found:
        shutil.copytree(artifact, target if merge else target / artifact.name, dirs_exist_ok=True)
    names = ", ".join(p.name for p in found) or "none"
    ctx.notes.append(f"downloaded artifacts matching {pattern!r}: {names}")


def _absolute(workspace: Path, pattern: str) -> str:
    return pattern if os.path.isabs(pattern) else str(workspace / pattern)


def _search_root(workspace: Path, pattern: str) -> Path:
    parts = Path(_absolute(workspace, pattern.lstrip("!"))).parts
    literal = []
    for part in parts:
        if GLOB.search(part):
            break
        literal.append(part)
    return Path(*literal)


def find_files(workspace: Path, patterns: list[str], *, include_hidden: bool) -> list[Path]:
    """The files upload-artifact would upload for these ``path`` lines."""
    include = [_absolute(workspace, p) for p in patterns if not p.startswith("!")]
    exclude = [_absolute(workspace, p[1:]) for p in patterns if p.startswith("!")]
    found: set[Path] = set()
    for pattern in include:
        root = _search_root(workspace, pattern)
        stack = [root] if root.exists() else []
        while stack:
            item = stack.pop()
            if not include_hidden and item.name.startswith("."):
                continue
            if item.is_dir():
                stack.extend(item.iterdir())
            elif _matches(str(item), pattern):
                found.add(item)
    return sorted(f for f in found if not any(_matches(str(f), p) for p in exclude))


def _matches(path: str, pattern: str) -> bool:
    """A file matches a pattern itself, or lies under a folder the pattern names."""
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatchcase(path, pattern.replace("**", "*")):
        return True
    return path.startswith(pattern + "/") or fnmatch.fnmatchcase(path, pattern + "/*")


ACTIONS: Mapping[str, Action] = {
    "actions/checkout": checkout,
    "actions/setup-python": setup_python,
    "actions/upload-artifact": upload_artifact,
    "actions/download-artifact": download_artifact,
}


def action_for(uses: str) -> Action:
    name = uses.split("@", 1)[0]
    if name not in ACTIONS:
        raise NotImplementedError(f"uses: {uses} is not simulated")
    return ACTIONS[name]


def installs_packages(script: str) -> bool:
    """A ``run:`` that only installs packages from the index (nothing can be installed here)."""
    lines = [line for line in script.splitlines() if line.strip()]
    return bool(lines) and all(PIP_INSTALL.match(line) for line in lines)

"""Helpers shared by the tests: a project copy driven through the CLI, the sandbox's log."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from contentctl.cli import cli
from contentctl.sandbox.state import SandboxState, read_log

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Project:
    """A copy of an example project in a temporary folder, driven through the CLI."""

    root: Path
    env: dict[str, str]

    def run(self, *args: str, sandbox: bool = True, env: dict[str, str] | None = None) -> Result:
        argv = ["-C", str(self.root), *(["--sandbox"] if sandbox else []), *args]
        return CliRunner().invoke(
            cli, argv, env={**self.env, **(env or {})}, catch_exceptions=False
        )

    def run_as_typed(self, *argv: str, env: dict[str, str] | None = None) -> Result:
        """The command line exactly as given: no -C or --sandbox put in front."""
        environ = {**self.env, **(env or {})}
        return CliRunner().invoke(cli, argv, env=environ, catch_exceptions=False)

    def requests(self) -> list[dict[str, Any]]:
        return read_log(self.root / ".contentctl" / "sandbox" / "requests.jsonl")

    def calls(self, method: str, path: str, since: int = 0) -> list[dict[str, Any]]:
        return [
            r for r in self.requests()[since:] if r["method"] == method and r.get("route") == path
        ]

    @property
    def lockfile(self) -> Path:
        return self.root / "contentctl.lock"

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Real git in ``root``; finds the contentctl of this environment (for merge drivers)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        ["git", *args],
        cwd=root,
        check=check,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
    )


def git_repo(root: Path) -> Path:
    """``root`` as a git repository with everything in it committed on main."""
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Content Writer")
    git(root, "config", "user.email", "writer@example.com")
    if not (root / ".gitignore").exists():
        (root / ".gitignore").write_text("out/\n.contentctl/\ncontentctl.lock.lease\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Content repository")
    return root


def copy_example(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(
        EXAMPLES / name,
        target,
        ignore=shutil.ignore_patterns(".contentctl", "out", "contentctl.lock"),
    )
    return target


def make_project(root: Path, *, media: int = 6, posts: int = 8, carousels: int = 6) -> Path:
    """A content repository with ``media + posts + carousels`` resources, every one distinct:
    posts alternate generated images and uploaded media, carousels alternate PNG and PDF."""
    (root / "content").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: generated}\n"
    )
    hero = (EXAMPLES / "quickstart" / "assets" / "hero.png").read_bytes()
    docs = []
    for i in range(media):
        (root / "assets" / f"photo{i}.png").write_bytes(hero + bytes([i]))
        docs.append(
            f"kind: Media\nmetadata: {{name: photo{i}}}\nspec: {{file: ../assets/photo{i}.png}}"
        )
    for i in range(posts):
        images = (
            f"{{media: [media/photo{i % media}]}}"
            if i % 2
            else f"{{prompt: Illustration number {i}, size: portrait}}"
        )
        docs.append(
            f"kind: Post\nmetadata: {{name: post{i}}}\nspec:\n"
            f"  post_types: [instagram-feed, linkedin-post]\n"
            f"  captions: {{prompt: Announcement number {i} for our customers}}\n"
            f"  images: {images}"
        )
    for i in range(carousels):
        docs.append(
            f"kind: Carousel\nmetadata: {{name: deck{i}}}\nspec:\n"
            f"  template: {{name: Bold Headlines}}\n  brand: {{name: Acme}}\n"
            f"  response_type: {'PNG' if i % 2 else 'PDF'}\n  slides:\n"
            f"    - {{type: starting_slide, heading: Deck {i}}}\n"
            f"    - {{type: body_slide, heading: Point {i}}}\n"
            f"    - {{type: ending_slide, heading: End {i}}}"
        )
    (root / "content" / "all.yaml").write_text(
        "\n---\n".join(f"apiVersion: contentctl/v1\n{d}" for d in docs) + "\n"
    )
    return root


def lockfile_shape(project: Project) -> dict[str, Any]:
    """The lockfile with what differs between two runs (ids, times, lineage) taken out."""
    volatile = {"remote_id", "submitted_at", "completed_at", "request_ref", "input_hash"}

    ids = re.compile(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{0,12}"
        r"|(post|design|result)_[0-9a-f]{16,20}"
    )

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in volatile}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return ids.sub("<id>", value) if isinstance(value, str) else value

    lock = json.loads(project.lockfile.read_text())
    resources: dict[str, Any] = clean(lock["resources"])
    return resources


RESOURCE_LINE = re.compile(r"^  (\+|~|-/\+|-|>) (\S+)")


def planned_steps(diff_output: str) -> dict[str, list[str]]:
    """Resource address -> steps it would run, read from `plan --diff` output."""
    planned: dict[str, list[str]] = {}
    current = None
    for line in diff_output.splitlines():
        match = RESOURCE_LINE.match(line)
        if match:
            current = match.group(2)
            planned[current] = []
        elif current and line.startswith("      ") and not line.startswith("       "):
            planned[current].append(line.split()[0])
        elif not line.startswith("   "):
            current = None
    return planned


def apply_in_subprocess(
    project: Project,
    latency: str,
    *,
    capture: bool = True,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> subprocess.Popen[str]:
    """`contentctl --sandbox apply --auto-approve [ARGS]` in a real process, to interrupt or
    kill."""
    environ = {
        **os.environ,
        "CONTENTCTL_SANDBOX_LATENCY": latency,
        "NO_COLOR": "1",
        **(env or {}),
    }
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "contentctl",
            "-C",
            str(project.root),
            "--sandbox",
            "apply",
            "--auto-approve",
            *args,
        ],
        env=environ,
        stdout=output,
        stderr=output,
        text=True,
    )


def paid_jobs(root: Path) -> Counter[str]:
    """Paid jobs the sandbox accepted, keyed by what identifies the step that sent them."""
    state = SandboxState(root / ".contentctl" / "sandbox")
    seen: Counter[str] = Counter()
    for job in state.powerpost["generations"].values():
        seen[f"captions:{job['prompt']}"] += 1
    for job in state.powerpost["images"].values():
        seen[f"images:{job['prompt']}"] += 1
    for post in state.postnitro["posts"].values():
        seen[f"render:{post['requestorId']}"] += 1
    return seen

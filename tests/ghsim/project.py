"""A content repository as ``contentctl init`` scaffolds it (its workflows and .gitignore),
filled with distinct posts, carousels, media, published posts and scheduled carousels."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from helpers import make_project

WORKFLOW = Path(".github") / "workflows" / "contentctl.yml"
COMMENT_WORKFLOW = Path(".github") / "workflows" / "contentctl-comment.yml"
GENERATE_WORKFLOW = Path(".github") / "workflows" / "contentctl-generate.yml"


def scaffold(root: Path) -> None:
    """The workflows and .gitignore of ``contentctl init``, run for real."""
    with tempfile.TemporaryDirectory(prefix="init-") as scratch:
        target = Path(scratch) / "content"
        subprocess.run(
            [sys.executable, "-m", "contentctl", "init", str(target)],
            check=True,
            capture_output=True,
        )
        (root / WORKFLOW).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(target / WORKFLOW, root / WORKFLOW)
        shutil.copy(target / COMMENT_WORKFLOW, root / COMMENT_WORKFLOW)
        shutil.copy(target / GENERATE_WORKFLOW, root / GENERATE_WORKFLOW)
        shutil.copy(target / ".gitignore", root / ".gitignore")


def content_project(
    root: Path,
    *,
    media: int = 3,
    posts: int = 6,
    carousels: int = 5,
    publishing: int = 1,
    schedules: int = 2,
    polling: Mapping[str, float] | None = None,
) -> Path:
    """``media + posts + carousels + schedules`` resources. The first ``publishing`` posts
    publish (the project allows publishing from CI); the first ``schedules`` carousels are
    scheduled (status SCHEDULED, in 2030). ``polling``: the providers' polling settings."""
    make_project(root, media=media, posts=posts, carousels=carousels)
    providers = ""
    if polling:
        settings = ", ".join(f"{k}: {v:g}" for k, v in polling.items())
        providers = "".join(
            f"    {name}: {{polling: {{{settings}}}}}\n" for name in ("powerpost", "postnitro")
        )
    (root / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: generated}\nspec:\n"
        "  allow_publish: true\n" + (f"  providers:\n{providers}" if providers else "")
    )
    manifests = root / "content" / "all.yaml"
    text = manifests.read_text()
    for i in range(publishing):
        prompt = f"  captions: {{prompt: Announcement number {i} for our customers}}\n"
        assert prompt in text, prompt
        text = text.replace(prompt, prompt + "  publish: true\n")
    manifests.write_text(text)
    documents = [
        "apiVersion: contentctl/v1\nkind: Schedule\n"
        f"metadata: {{name: launch{i}}}\nspec:\n  carousel: carousel/deck{i}\n"
        f'  at: "2030-06-{i + 3:02d}T09:00:00"\n  time_zone: Europe/Paris\n  status: SCHEDULED\n'
        f'  captions: {{common: "Deck {i} is live #Launch"}}\n'
        "  accounts: {linkedin: [acme-co], instagram: [acme]}\n"
        for i in range(min(schedules, carousels))
    ]
    if documents:
        (root / "content" / "schedules.yaml").write_text("---\n".join(documents))
    scaffold(root)
    return root


def extra_manifest(name: str) -> str:
    """A manifest another pull request adds: a post with written captions (no paid job)."""
    return (
        f"apiVersion: contentctl/v1\nkind: Post\nmetadata: {{name: {name}}}\nspec:\n"
        f"  post_types: [linkedin-post]\n  captions: {{text: {{linkedin: Hello from {name}}}}}\n"
    )

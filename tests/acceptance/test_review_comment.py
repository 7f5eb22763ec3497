"""The pull request comment shows the generated content: captions per platform, slide and
image links, schedule times in their zone, credits per take; nothing from a manifest or an
API can break out of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import Project, git, git_repo
from helpers_markdown import HOSTILE, html, outside_code
from test_review_before_publish import CAROUSEL, POST, REVIEWED, SCHEDULE

POST_WITH_SLIDES = POST.replace(
    "  publish: true\n", "  images: {media: [carousel/tips]}\n  publish: true\n"
)
GOOD = "https://cdn.example.com/slides/1.png"
BAD = [
    "javascript:alert(1)",
    "data:image/png;base64,iVBORw0KGgo=",
    'https://cdn.example.com/2.png"onerror="alert(1)',
    "/home/runner/out/3.png",
]


def _pull_request(tmp_path: Path) -> Project:
    """main has the project; the branch adds the content and generates it."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "contentctl.yaml").write_text(REVIEWED)
    git_repo(root)
    git(root, "checkout", "-q", "-b", "launch")
    (root / "content").mkdir()
    (root / "content" / "launch.yaml").write_text(
        "---\n".join([POST_WITH_SLIDES, CAROUSEL, SCHEDULE])
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Launch content")
    project = Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0", "NO_COLOR": "1"})
    generated = project.run("apply", "--generate", "--auto-approve", "--commit")
    assert generated.exit_code == 0, generated.output
    return project


def _comment(project: Project) -> str:
    result = project.run("plan", "--changed-since", "main", "--format", "markdown")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_comment_shows_captions_slides_times_and_the_credits_of_the_pull_request(
    tmp_path: Path,
) -> None:
    project = _pull_request(tmp_path)

    comment = _comment(project)

    assert "### Generated content" in comment
    assert "Spent in this pull request so far: **9 credits** (2 paid results" in comment
    assert "<summary>`post/launch` · publishes on merge</summary>" in comment
    lock = json.loads(project.lockfile.read_text())
    captions = lock["resources"]["post/launch"]["steps"]["captions"]["outputs"]
    for caption in captions.values():
        assert caption.splitlines()[0] in comment
    assert "**LinkedIn**" in comment and "**X**" in comment
    slides = lock["resources"]["carousel/tips"]["steps"]["render"]["outputs"]["files"]
    assert len(slides) == 3
    for url in slides:
        assert f'<img src="{url}" width="120"' in comment
    assert "**When:** 2030-06-03 09:00 Europe/Paris (2030-06-03 07:00 UTC) · SCHEDULED" in (comment)
    assert "Takes on this branch: captions 1 take (6 credits)" in comment

    # A prompt edited after generating: the comment says the content shown is the old take.
    project.edit("content/launch.yaml", "We just launched dark mode", "Dark mode is here")
    git(project.root, "commit", "-q", "-am", "New prompt")
    edited = _comment(project)
    assert "`post/launch` · changed since it was generated (captions, post)" in edited

    # Generated again: a second take, its credits added to the pull request's.
    assert project.run("apply", "--generate", "--auto-approve", "--commit").exit_code == 0
    again = _comment(project)
    assert "Takes on this branch: captions 2 takes (6 + 6 credits)" in again
    assert "Spent in this pull request so far: **15 credits** (3 paid results" in again


def test_hostile_captions_and_urls_stay_inert(tmp_path: Path) -> None:
    project = _pull_request(tmp_path)
    lock = json.loads(project.lockfile.read_text())
    post = lock["resources"]["post/launch"]["steps"]
    post["captions"]["outputs"] = {"linkedin": f"{HOSTILE}\n```\nfenced", "x": "@octocat hi"}
    render = lock["resources"]["carousel/tips"]["steps"]["render"]["outputs"]
    render["files"] = [GOOD, *BAD]
    render["editor_url"] = "javascript:alert(2)"
    project.lockfile.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n")

    comment = _comment(project)
    rendered = html(comment)

    images = re.findall(r"<img [^>]*>", rendered)
    assert images and all(f'src="{GOOD}"' in i for i in images), images
    assert "javascript:" not in rendered.replace("javascript:alert(1)) | pipe", "")
    assert "data:image" not in rendered and "/home/runner" not in rendered
    assert "onerror" not in outside_code(rendered)
    assert "(4 not at a public web address: see the preview artifact)" in comment
    assert rendered.count("<details") == rendered.count("</details>")
    prose = outside_code(rendered)
    assert "@octocat" not in prose and "#12" not in prose and "<b>" not in rendered
    assert "PostNitro editor" not in comment


def _post(name: str) -> str:
    return POST.replace("name: launch", f"name: {name}").replace(
        "We just launched dark mode", f"Say {name} to everyone"
    )


def test_two_pull_requests_generated_apart_merge_and_publish_without_generating(
    tmp_path: Path,
) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "README.md").write_text("Manifests.\n")
    (root / "contentctl.yaml").write_text(REVIEWED)
    git_repo(root)
    project = Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0", "NO_COLOR": "1"})
    assert project.run("lock", "install-driver", sandbox=False).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Merge contentctl.lock with contentctl")
    for name in ("spring", "summer"):
        git(root, "checkout", "-q", "-b", name, "main")
        project.write(f"content/{name}.yaml", _post(name))
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"Post {name}")
        generated = project.run("apply", "--generate", "--auto-approve", "--commit")
        assert generated.exit_code == 0, generated.output

    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-edit", "spring")
    merged = git(root, "merge", "--no-edit", "summer", check=False)  # both wrote the lockfile
    assert merged.returncode == 0, merged.stdout + merged.stderr

    seen = len(project.requests())
    applied = project.run("apply", "--auto-approve")

    assert applied.exit_code == 0, applied.output
    sent = [(r["method"], r["route"]) for r in project.requests()[seen:] if r["method"] == "POST"]
    assert sent == [("POST", "/posts/{post_id}/publish")] * 2
    steps = json.loads(project.lockfile.read_text())["resources"]
    assert {a: s["steps"]["publish"]["status"] for a, s in steps.items()} == {
        "post/spring": "completed",
        "post/summer": "completed",
    }

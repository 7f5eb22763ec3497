"""Two branches that both applied, merged in a real git repository: through the merge driver,
and by hand with `contentctl lock resolve` where the driver was not installed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import Project, copy_example, git, git_repo

from contentctl.lockfile.read import read
from contentctl.validate.schema import validator

POST = """\
apiVersion: contentctl/v1
kind: Post
metadata: {{name: {name}}}
spec:
  post_types: [x-post, linkedin-post]
  captions: {{prompt: {prompt}}}
"""
LAUNCH = "content/launch.yaml"


def _repository(tmp_path: Path, *, driver: bool) -> Project:
    """The quickstart applied on main, its lockfile committed; the driver installed or not."""
    project = Project(copy_example("quickstart", tmp_path), {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    git_repo(project.root)
    if driver:
        installed = project.run("lock", "install-driver", sandbox=False)
        assert installed.exit_code == 0, installed.output
        git(project.root, "add", ".gitattributes")
        git(project.root, "commit", "-q", "-m", "Merge contentctl.lock with contentctl")
    _apply(project)
    return project


def _apply(project: Project) -> None:
    result = project.run("apply", "--auto-approve", "--commit")
    assert result.exit_code == 0, result.output
    assert "Committed contentctl.lock" in result.stdout


def _branch(project: Project, name: str, change: tuple[str, str, str] | None = None) -> None:
    """A branch off main that adds a post (or edits a file), commits and applies it."""
    git(project.root, "checkout", "-q", "-b", name, "main")
    if change is None:
        project.write(f"content/{name}.yaml", POST.format(name=name, prompt=f"Say {name} to all"))
    else:
        project.edit(*change)
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", f"Content for {name}")
    _apply(project)


def _remote_ids(data: dict[str, Any]) -> set[str]:
    ids = set()
    for record in data["resources"].values():
        ids |= {s["remote_id"] for s in record["steps"].values() if "remote_id" in s}
        ids |= {o["record"]["remote_id"] for o in record.get("orphans", [])}
    return ids


def _committed(project: Project, ref: str) -> dict[str, Any]:
    text = git(project.root, "show", f"{ref}:contentctl.lock").stdout
    return json.loads(text)  # type: ignore[no-any-return]


def _merged(project: Project) -> dict[str, Any]:
    data = json.loads(project.lockfile.read_text())
    validator("lockfile.schema.json").validate(data)
    return data  # type: ignore[no-any-return]


def test_the_driver_merges_records_of_two_branches_that_applied(tmp_path: Path) -> None:
    project = _repository(tmp_path, driver=True)
    _branch(project, "alpha")
    _branch(project, "beta")
    git(project.root, "checkout", "-q", "alpha")

    merge = git(project.root, "merge", "--no-edit", "beta", check=False)

    assert merge.returncode == 0, merge.stdout + merge.stderr
    merged = _merged(project)
    assert {"post/alpha", "post/beta", "post/dark-mode-launch"} <= set(merged["resources"])
    both = _remote_ids(_committed(project, "alpha")) | _remote_ids(_committed(project, "beta"))
    assert both <= _remote_ids(merged)
    assert git(project.root, "status", "--porcelain").stdout == ""
    plan = project.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_the_same_resource_applied_on_both_branches_is_reported_and_nothing_lost(
    tmp_path: Path,
) -> None:
    project = _repository(tmp_path, driver=True)
    prompt = "We just launched dark mode for our app"
    _branch(project, "night", (LAUNCH, prompt, "Dark mode is here for night owls"))
    _branch(project, "battery", (LAUNCH, prompt, "Dark mode saves your battery"))
    git(project.root, "checkout", "-q", "night")

    merge = git(project.root, "merge", "--no-edit", "battery", check=False)

    assert merge.returncode != 0  # the manifest conflicts, and the lockfile is for review
    assert "conflict: post/dark-mode-launch: changed on both sides" in merge.stderr
    unmerged = git(project.root, "diff", "--name-only", "--diff-filter=U").stdout.split()
    assert sorted(unmerged) == [LAUNCH, "contentctl.lock"]
    merged = _merged(project)  # valid JSON, no conflict markers
    night, battery = _committed(project, "night"), _committed(project, "battery")
    assert _remote_ids(night) | _remote_ids(battery) <= _remote_ids(merged)
    orphans = merged["resources"]["post/dark-mode-launch"]["orphans"]
    # The losing side of the conflict, and the drafts each branch's update replaced.
    assert any(o["reason"].startswith("merge conflict") for o in orphans)
    assert all(o["reason"].startswith(("merge conflict", "draft replaced")) for o in orphans)
    assert merged["resources"]["media/hero"] == night["resources"]["media/hero"]

    shown = project.run("show", "post/dark-mode-launch")
    assert "orphans (remote objects no longer current" in shown.stdout


def test_without_the_driver_resolve_merges_the_conflicted_lockfile(tmp_path: Path) -> None:
    project = _repository(tmp_path, driver=False)
    _branch(project, "alpha")
    _branch(project, "beta")
    git(project.root, "checkout", "-q", "alpha")

    merge = git(project.root, "merge", "--no-edit", "beta", check=False)

    assert merge.returncode != 0
    assert "<<<<<<<" in project.lockfile.read_text()
    blocked = project.run("plan")
    assert blocked.exit_code == 1
    assert "contentctl.lock has unresolved merge conflicts" in blocked.stderr
    assert "contentctl lock resolve" in blocked.stderr and "git checkout" not in blocked.stderr

    resolved = project.run("lock", "resolve", sandbox=False)

    assert resolved.exit_code == 0, resolved.output
    assert "Merged contentctl.lock (5 resources) and staged it." in resolved.stdout
    assert git(project.root, "diff", "--name-only", "--diff-filter=U").stdout == ""
    merged = _merged(project)
    both = _remote_ids(_committed(project, "alpha")) | _remote_ids(_committed(project, "beta"))
    assert both <= _remote_ids(merged)
    assert (
        read(project.lockfile).serial
        == max(_committed(project, ref)["serial"] for ref in ("alpha", "beta")) + 1
    )
    git(project.root, "commit", "-q", "--no-edit")
    plan = project.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output

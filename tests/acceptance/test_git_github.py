"""Git and GitHub Actions: plan on a pull request, apply on merge, the lockfile committed back;
--changed-since; every workflow passes actionlint."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, Project, copy_example, planned_steps

from contentctl.scaffold.workflow import WORKFLOW


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def _repo(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Content Writer")
    git(root, "config", "user.email", "writer@example.com")
    (root / ".gitignore").write_text("out/\n.contentctl/\ncontentctl.lock.lease\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Content repository")


def _github_env(tmp_path: Path, event: dict[str, Any]) -> dict[str, str]:
    files = {
        name: tmp_path / f"{name.lower()}.txt" for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT")
    }
    for path in files.values():
        path.write_text("")
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_PATH": str(event_path),
        "CONTENTCTL_SANDBOX_LATENCY": "0",
        **{k: str(v) for k, v in files.items()},
    }


def _outputs(path: str) -> dict[str, str]:
    lines = Path(path).read_text().splitlines()
    values, i = {}, 0
    while i < len(lines):
        name, delimiter = lines[i].split("<<")
        end = lines.index(delimiter, i + 1)
        values[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return values


def test_pull_request_plan_then_merge_apply_commits_only_the_lockfile(tmp_path: Path) -> None:
    root = copy_example("quickstart", tmp_path / "repo")
    _repo(root)
    git(root, "checkout", "-q", "-b", "launch-copy")
    broken = root / "content" / "broken.yaml"
    broken.write_text(
        "apiVersion: contentctl/v1\nkind: Post\nmetadata: {name: oops}\n"
        "spec: {post_types: [tiktok-vid]}\n"
    )
    (tmp_path / "pr").mkdir()
    pr = Project(root, _github_env(tmp_path / "pr", {"pull_request": {"number": 7}}))

    annotations = pr.run("validate", sandbox=False)
    assert annotations.exit_code == 1
    assert annotations.stdout.startswith(
        "::error file=content/broken.yaml,line=4,col=21,title=contentctl validate::"
        "spec.post_types[0]: 'tiktok-vid' is not one of"
    )
    broken.unlink()

    plan = pr.run("plan", "-out", str(tmp_path / "plan.json"), sandbox=False)

    assert plan.exit_code == 0, plan.output
    summary = Path(pr.env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("<!-- contentctl-plan -->\n### contentctl plan")
    assert "**3 to create, 0 to update, 0 to forget** · estimated **17 credits**" in summary
    assert "| ➕ | `post/dark-mode-launch` | captions, images, post |" in summary
    outputs = _outputs(pr.env["GITHUB_OUTPUT"])
    assert outputs["has_changes"] == "true" and outputs["credits"] == "17"
    assert outputs["plan_file"] == str(tmp_path / "plan.json")
    assert Path(outputs["comment_file"]).read_text() == summary.rstrip("\n") + "\n"
    assert git(root, "status", "--porcelain") == ""  # planning wrote nothing in the repository
    git(root, "commit", "-q", "--allow-empty", "-m", "Launch copy")

    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "launch-copy", "-m", "Merge launch copy")
    merged = git(root, "rev-parse", "HEAD")
    main = Project(root, _github_env(tmp_path, {"ref": "refs/heads/main"}))
    applied = main.run("apply", "--auto-approve", "--commit")

    assert applied.exit_code == 0, applied.output
    assert "Committed contentctl.lock as" in applied.stdout
    assert git(root, "show", "--name-only", "--format=", "HEAD").splitlines() == ["contentctl.lock"]
    message = git(root, "log", "-1", "--format=%B")
    assert message.startswith("contentctl apply: 3 created; 17 credits [skip ci]")
    assert "- post/dark-mode-launch: create (captions, images, post)" in message
    assert git(root, "rev-parse", "HEAD~1") == merged
    lock = json.loads((root / "contentctl.lock").read_text())
    assert {r["source"]["commit"] for r in lock["resources"].values()} == {merged}
    assert _outputs(main.env["GITHUB_OUTPUT"])["applied"] == "true"
    assert git(root, "status", "--porcelain") == ""
    again = main.run("apply", "--auto-approve", "--commit")
    assert again.exit_code == 0 and git(root, "rev-parse", "HEAD~1") == merged  # no new commit


def test_annotations_name_files_from_the_top_of_the_repository(tmp_path: Path) -> None:
    """GitHub attaches an annotation to a pull request's file only by its path from the
    repository's top: a project in site/ annotates site/content/..., run from anywhere."""
    repo = tmp_path / "repo"
    root = copy_example("quickstart", repo)
    root = root.rename(repo / "site")
    _repo(repo)
    (root / "content" / "bad.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Post\nmetadata: {name: oops}\n"
        "spec: {post_types: [tiktok-vid]}\n"
    )
    (tmp_path / "pr").mkdir()
    pr = Project(root, _github_env(tmp_path / "pr", {"pull_request": {"number": 7}}))

    validated = pr.run("validate", "--format", "github", sandbox=False)
    planned = pr.run("plan", sandbox=False)

    for result in (validated, planned):
        assert result.exit_code == 1
        assert result.stdout.startswith(
            "::error file=site/content/bad.yaml,line=4,col=21,title=contentctl validate::"
        ), result.stdout
    outside = Project(tmp_path / "elsewhere", pr.env)
    (tmp_path / "elsewhere").mkdir()
    shutil.copytree(root / "content", tmp_path / "elsewhere" / "content")
    shutil.copy(root / "contentctl.yaml", tmp_path / "elsewhere")
    plain = outside.run("validate", "--format", "github", sandbox=False)
    assert plain.stdout.startswith("::error file=content/bad.yaml,line=4"), plain.stdout


def test_applying_uncommitted_manifests_warns(tmp_path: Path) -> None:
    root = copy_example("quickstart", tmp_path)
    _repo(root)
    (root / "content" / "launch.yaml").write_text(
        (root / "content" / "launch.yaml").read_text().replace("portrait", "square")
    )
    result = Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"}).run("apply", "--auto-approve")
    assert result.exit_code == 0
    assert "warning: applying uncommitted changes (content/launch.yaml)" in result.stderr


def _fifty(root: Path) -> None:
    """Two campaigns on their own templates (one shares a macro), and 20 plain posts."""
    (root / "content").mkdir(parents=True)
    (root / "templates" / "alpha").mkdir(parents=True)
    (root / "templates" / "beta").mkdir(parents=True)
    (root / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: fifty}\n"
    )
    (root / "templates" / "macros.j2").write_text(
        "{% macro tag(word) %}#{{ word | slugify }}{% endmacro %}"
    )
    (root / "templates" / "alpha" / "post.yaml.j2").write_text(
        "{% from 'macros.j2' import tag %}apiVersion: contentctl/v1\nkind: Post\n"
        "metadata: {name: post}\nspec:\n  post_types: [x-post]\n"
        "  captions: {text: {x: \"Alpha {{ n }} {{ tag('alpha') }}\"}}\n"
    )
    (root / "templates" / "beta" / "post.yaml.j2").write_text(
        "apiVersion: contentctl/v1\nkind: Post\nmetadata: {name: post}\nspec:\n"
        '  post_types: [x-post]\n  captions: {text: {x: "Beta {{ n }}"}}\n'
    )
    (root / "templates" / "beta" / "deck.yaml.j2").write_text(
        "apiVersion: contentctl/v1\nkind: Carousel\nmetadata: {name: deck}\nspec:\n"
        "  template_id: tpl_bold_headlines\n  brand_id: brand_acme\n  slides:\n"
        "    - {type: starting_slide, heading: 'Beta {{ n }}'}\n"
        "    - {type: body_slide, heading: Body}\n    - {type: ending_slide, heading: End}\n"
    )
    for name, count in (("alpha", 10), ("beta", 10)):
        (root / "content" / f"{name}.yaml").write_text(
            f"apiVersion: contentctl/v1\nkind: Campaign\nmetadata: {{name: {name}}}\n"
            f"spec:\n  template: {name}\n  matrix: {{n: {list(range(count))}}}\n"
        )
    for i in range(20):
        (root / "content" / f"plain{i}.yaml").write_text(
            f"apiVersion: contentctl/v1\nkind: Post\nmetadata: {{name: plain{i}}}\nspec:\n"
            f"  post_types: [x-post]\n  captions: {{text: {{x: Plain post {i}}}}}\n"
        )


def test_changed_since_plans_exactly_what_a_changed_template_reaches(tmp_path: Path) -> None:
    root = tmp_path / "fifty"
    _fifty(root)
    _repo(root)
    project = Project(root, {})
    everything = planned_steps(project.run("plan", "--diff", sandbox=False).stdout)
    assert len(everything) == 50

    (root / "templates" / "beta" / "deck.yaml.j2").write_text(
        (root / "templates" / "beta" / "deck.yaml.j2").read_text().replace("Body", "Middle")
    )
    deck = planned_steps(
        project.run("plan", "--diff", "--changed-since", "HEAD", sandbox=False).stdout
    )
    assert sorted(deck) == sorted(f"carousel/beta.{n}.deck" for n in range(10))

    git(root, "commit", "-q", "-am", "Deck wording")
    (root / "templates" / "macros.j2").write_text(
        "{% macro tag(word) %}#{{ word | upper }}{% endmacro %}"
    )
    macro = planned_steps(
        project.run("plan", "--diff", "--changed-since", "HEAD", sandbox=False).stdout
    )
    assert sorted(macro) == sorted(f"post/alpha.{n}.post" for n in range(10))

    (root / "content" / "plain3.yaml").unlink()
    both = planned_steps(
        project.run("plan", "--diff", "--changed-since", "HEAD", sandbox=False).stdout
    )
    assert len(both) == 10  # a deleted manifest with nothing in the lockfile plans nothing

    unknown = project.run("plan", "--changed-since", "no-such-ref", sandbox=False)
    assert unknown.exit_code == 1 and "unknown git revision 'no-such-ref'" in unknown.stderr


def test_changed_since_in_a_repository_with_no_commits_says_so(tmp_path: Path) -> None:
    root = copy_example("quickstart", tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")

    result = Project(root, {}).run("plan", "--changed-since", "HEAD", sandbox=False)

    assert result.exit_code == 1
    assert "this repository has no commits yet" in result.stderr
    assert "fetch-depth" not in result.stderr  # nothing to fetch: there is no history


def test_changed_since_plans_what_a_changed_media_file_reaches(tmp_path: Path) -> None:
    root = copy_example("quickstart", tmp_path / "quickstart")
    _repo(root)
    project = Project(root, {})
    photo = root / "assets" / "hero.png"
    photo.write_bytes(photo.read_bytes() + b"\0")  # still a PNG; other bytes

    changed = planned_steps(
        project.run("plan", "--diff", "--changed-since", "HEAD", sandbox=False).stdout
    )

    # The upload, and the post whose captions look at it; the other posts are untouched.
    assert sorted(changed) == ["media/hero", "post/dark-mode-launch"]


def _actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).is_file():
        pytest.skip("actionlint is not installed (the test extra installs it on Linux x86-64)")
    return found


def test_every_workflow_passes_actionlint(tmp_path: Path) -> None:
    actionlint = _actionlint()
    scaffolded = tmp_path / "scaffold"
    assert Project(scaffolded, {}).run("init", str(scaffolded), sandbox=False).exit_code == 0
    workflows = [
        *sorted((ROOT / ".github" / "workflows").glob("*.yml")),
        scaffolded / ".github" / "workflows" / "contentctl.yml",
        scaffolded / ".github" / "workflows" / "contentctl-comment.yml",
        scaffolded / ".github" / "workflows" / "contentctl-generate.yml",
    ]
    assert len(workflows) >= 4
    result = subprocess.run(
        [actionlint, "-no-color", *map(str, workflows)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.replace("cancel-in-progress: false", "cancel-in-progress: maybe"))
    assert (
        subprocess.run([actionlint, str(broken)], capture_output=True, check=False).returncode != 0
    )
    # actionlint checks the comment workflow's trigger and permissions too.
    comment = (scaffolded / ".github" / "workflows" / "contentctl-comment.yml").read_text()
    for old, new in (
        ("types: [completed]", "types: [finished]"),
        ("pull-requests: write", "pull-request: write"),
    ):
        broken.write_text(comment.replace(old, new))
        found = subprocess.run([actionlint, str(broken)], capture_output=True, check=False)
        assert found.returncode != 0, old


def test_init_scaffolds_a_repository_that_plans_on_the_sandbox(tmp_path: Path) -> None:
    target = tmp_path / "brand-new"
    project = Project(target, {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    created = project.run("init", str(target), sandbox=False)
    assert created.exit_code == 0, created.output
    assert (target / "schemas" / "manifest.schema.json").is_file()
    settings = json.loads((target / ".vscode" / "settings.json").read_text())
    assert settings["yaml.schemas"]["./schemas/manifest.schema.json"][0] == "content/**/*.yaml"
    assert "yaml-language-server" not in (target / "content" / "hello.yaml").read_text()
    assert "cancel-in-progress: false" in (target / ".github/workflows/contentctl.yml").read_text()
    for name in ("contentctl.yml", "contentctl-comment.yml"):
        assert "pull_request_target" not in (target / ".github/workflows" / name).read_text()
    assert project.run("plan", "--detailed-exitcode").exit_code == 2
    again = project.run("init", str(target), sandbox=False)
    assert again.exit_code == 1 and "--force" in again.stderr


def test_a_pull_requests_plan_names_what_a_lagging_lockfile_will_also_run(tmp_path: Path) -> None:
    """The lockfile lags behind main (an earlier merge was never applied): the PR's plan
    under --changed-since shows its own changes and, apart, what the apply after the merge
    runs too, so the credits a reviewer sees are the credits the merge spends."""
    root = copy_example("quickstart", tmp_path / "repo")
    _repo(root)
    project = Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    assert project.run("apply", "--auto-approve", "--select", "carousel/*").exit_code == 0
    git(root, "add", "contentctl.lock")
    git(root, "commit", "-q", "-m", "Lockfile: only the carousel was applied")
    base = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "-b", "new-slide")
    project.edit("content/tips.yaml.j2", "Easier on your eyes at night", "Kinder to tired eyes")
    git(root, "commit", "-q", "-am", "Reword a slide")

    pr = project.run("plan", "--changed-since", base, "--format", "json", sandbox=False)
    full = project.run("plan", "--format", "json", sandbox=False)

    assert pr.exit_code == 0 and full.exit_code == 0, pr.output + full.output
    ours, everything = json.loads(pr.stdout), json.loads(full.stdout)
    assert [c["address"] for c in ours["changes"]] == ["carousel/dark-mode-tips"]
    assert {c["address"] for c in ours["elsewhere"]} == {"media/hero", "post/dark-mode-launch"}
    shown = ours["summary"]["credits"] + sum(c["credits"] for c in ours["elsewhere"])
    assert shown == everything["summary"]["credits"]
    text = project.run("plan", "--changed-since", base, sandbox=False).stdout
    assert "Also pending outside --changed-since, not in this plan: 2 resource(s)" in text
    comment = project.run(
        "plan", "--changed-since", base, "--format", "markdown", sandbox=False
    ).stdout
    assert "**Also pending on the base branch**" in comment
    assert "`media/hero`" in comment and "`post/dark-mode-launch`" in comment


def test_init_below_the_top_of_a_repository_says_where_github_runs_workflows(
    tmp_path: Path,
) -> None:
    git(tmp_path, "init", "-q")
    made = Project(tmp_path, {}).run("init", str(tmp_path / "site"), sandbox=False)

    assert made.exit_code == 0, made.output
    assert "warning: GitHub runs workflows only from the top of the repository" in made.stderr
    at_top = Project(tmp_path, {}).run("init", str(tmp_path / "again"), sandbox=False)
    assert "warning" in at_top.stderr  # still below the top
    fresh = tmp_path / "elsewhere"
    fresh.mkdir()
    git(fresh, "init", "-q")
    assert "warning" not in Project(fresh, {}).run("init", str(fresh), sandbox=False).stderr

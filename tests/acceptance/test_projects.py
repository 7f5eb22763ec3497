"""Many projects in one repository: `contentctl projects` finds them, says which a change
reaches (through shared template libraries too, as their render loads them), plans them in one
process against the repository's budget, and writes one pull request comment for all."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from helpers import EXAMPLES, Project, git, git_repo

from contentctl.report.markdown import MARKER

AGENCY = ("brands/eastbay", "brands/northwind", "brands/southpeak")


def _agency(tmp_path: Path) -> Project:
    root = tmp_path / "agency"
    shutil.copytree(
        EXAMPLES / "agency", root, ignore=shutil.ignore_patterns(".contentctl", "contentctl.lock")
    )
    return Project(git_repo(root), {})


def _projects(project: Project, *args: str) -> list[str]:
    result = project.run("projects", *args, "--format", "json", sandbox=False)
    assert result.exit_code == 0, result.output
    return [p["project"] for p in json.loads(result.stdout)["projects"]]


def test_every_project_of_the_repository_is_listed(tmp_path: Path) -> None:
    agency = _agency(tmp_path)

    assert _projects(agency) == list(AGENCY)
    text = agency.run("projects", sandbox=False)
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines() == [
        "brands/eastbay    eastbay",
        "brands/northwind  northwind",
        "brands/southpeak  southpeak",
    ]


def test_a_changed_shared_macro_reaches_exactly_the_projects_that_include_it(
    tmp_path: Path,
) -> None:
    agency = _agency(tmp_path)
    # Every project declares the library; only two of them import launch.j2.
    for brand in AGENCY:
        assert "../../shared/templates" in (agency.root / brand / "contentctl.yaml").read_text()
    agency.edit("shared/templates/launch.j2", "Warm, concrete", "Warm, plain")

    assert _projects(agency, "--changed-since", "HEAD") == [
        "brands/northwind",
        "brands/southpeak",
    ]
    summary = tmp_path / "summary.md"
    matrix = agency.run(
        "projects", "--changed-since", "HEAD", "--format", "github-matrix",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert matrix.exit_code == 0, matrix.output
    assert "| `brands/northwind` | `shared/templates/launch.j2` |" in summary.read_text()
    line = matrix.stdout.strip()
    assert "\n" not in line  # a job output, echoed into $GITHUB_OUTPUT as name=value
    data = json.loads(line)
    # strategy.matrix: an object whose include is a list of objects of plain values.
    assert list(data) == ["include"]
    assert data["include"] == [
        {"project": "brands/northwind", "name": "northwind", "id": "brands-northwind"},
        {"project": "brands/southpeak", "name": "southpeak", "id": "brands-southpeak"},
    ]
    for entry in data["include"]:
        assert (agency.root / entry["project"] / "contentctl.yaml").is_file()
        assert re.fullmatch(r"[A-Za-z0-9._-]+", entry["id"])  # artifact and environment names


def test_a_macro_reached_through_another_template_and_a_project_own_file(
    tmp_path: Path,
) -> None:
    agency = _agency(tmp_path)
    agency.edit("shared/templates/hashtags.j2", "#{{ brand", "# {{ brand")  # via launch.j2
    assert _projects(agency, "--changed-since", "HEAD") == [
        "brands/northwind",
        "brands/southpeak",
    ]
    git(agency.root, "commit", "-qam", "Hashtags")
    agency.edit("shared/templates/digest.j2", "friendly", "cheerful")
    agency.edit("brands/southpeak/content/launch.yaml.j2", "1.2 kg", "1.1 kg")
    assert _projects(agency, "--changed-since", "HEAD") == ["brands/eastbay", "brands/southpeak"]
    git(agency.root, "commit", "-qam", "Digest")
    agency.write("shared/templates/unused.j2", "{% macro nothing() %}{% endmacro %}\n")
    agency.write("README.md", "An agency\n")
    assert _projects(agency, "--changed-since", "HEAD") == []
    assert _projects(agency, "--changed-since", "HEAD~2") == [
        "brands/eastbay",
        "brands/northwind",
        "brands/southpeak",
    ]


def test_plan_changed_since_follows_the_shared_template(tmp_path: Path) -> None:
    agency = _agency(tmp_path)
    agency.edit("shared/templates/launch.j2", "Warm, concrete", "Warm, plain")
    north = Project(agency.root / "brands" / "northwind", {})
    east = Project(agency.root / "brands" / "eastbay", {})

    planned = north.run("plan", "--changed-since", "HEAD", "--json")
    assert planned.exit_code == 0, planned.output
    assert [c["address"] for c in json.loads(planned.stdout)["changes"]] == [
        "post/cold-brew-launch"
    ]
    assert "plain, no superlatives" in north.run("render").stdout
    elsewhere = east.run("plan", "--changed-since", "HEAD", "--json")
    assert json.loads(elsewhere.stdout)["changes"] == []


def test_a_project_whose_render_fails_is_reached_by_any_change_to_its_libraries(
    tmp_path: Path,
) -> None:
    agency = _agency(tmp_path)
    agency.edit("brands/eastbay/content/digest.yaml.j2", '"digest.j2"', '"missing.j2"')
    git(agency.root, "commit", "-qam", "Broken")
    agency.edit("shared/templates/launch.j2", "Warm, concrete", "Warm, plain")

    # What eastbay loads is unknown: it is planned (and its plan job shows the error).
    assert _projects(agency, "--changed-since", "HEAD") == list(AGENCY)


def test_a_template_library_must_stay_inside_the_repository(tmp_path: Path) -> None:
    agency = _agency(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    agency.edit(
        "brands/eastbay/contentctl.yaml",
        "templates: [../../shared/templates]",
        "templates: [../../shared/templates, ../../../elsewhere]",
    )
    result = agency.run("projects", sandbox=False)
    assert result.exit_code == 1
    assert "brands/eastbay/contentctl.yaml:8:39: error:" in result.stderr  # the entry
    assert "template library '../../../elsewhere' is outside the repository" in result.stderr
    agency.edit("brands/eastbay/contentctl.yaml", "../../../elsewhere", "../../shared/tmpl")
    missing = Project(agency.root / "brands" / "eastbay", {}).run("validate")
    assert missing.exit_code == 1
    assert "template library '../../shared/tmpl' is not a folder" in missing.stderr


def test_a_symlink_out_of_a_template_library_is_refused(tmp_path: Path) -> None:
    agency = _agency(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("do not render me")
    (agency.root / "shared" / "templates" / "leak.j2").symlink_to(secret)
    agency.edit("brands/eastbay/content/digest.yaml.j2", '"digest.j2"', '"leak.j2"')
    result = Project(agency.root / "brands" / "eastbay", {}).run("validate")
    assert result.exit_code == 1
    assert "leak.j2 (a link to outside ../../shared/templates folder)" in result.stderr
    assert "do not render me" not in result.output


def test_projects_plan_totals_credits_against_the_repository_budget(tmp_path: Path) -> None:
    agency = _agency(tmp_path)
    every = agency.run("projects", "plan", "--json", sandbox=False)
    assert every.exit_code == 0, every.output
    data = json.loads(every.stdout)
    assert [p["project"] for p in data["projects"]] == list(AGENCY)
    assert data["totals"] == {"projects": 3, "changes": 3, "credits": 18.0}

    agency.edit("shared/templates/launch.j2", "Warm, concrete", "Warm, plain")
    within = agency.run("projects", "plan", "--changed-since", "HEAD", "--max-credits", "12")
    assert within.exit_code == 0, within.output
    assert "2 projects, 2 changes, estimated 12 credits" in within.stdout
    over = agency.run("projects", "plan", "--max-credits", "17.5", sandbox=False)
    assert over.exit_code == 1
    assert "estimated at 18 credits together, over the repository's budget of 17.5" in over.stderr


def _planned(project: Project, plans: Path, path: str, ident: str) -> None:
    """What one plan job of the matrix leaves: plan.json and its comment's Markdown."""
    folder = plans / ident
    folder.mkdir(parents=True)
    out = folder / "plan.json"
    result = Project(project.root / path, {}).run(
        "plan", "-out", str(out), env={"GITHUB_ACTIONS": "true"}
    )
    assert result.exit_code == 0, result.output
    assert (folder / "plan.comment.md").is_file()


def test_one_comment_for_every_project_totals_first(tmp_path: Path) -> None:
    agency = _agency(tmp_path)
    matrix = agency.run("projects", "--format", "github-matrix", sandbox=False).stdout.strip()
    plans = tmp_path / "plans"
    for path in AGENCY:
        _planned(agency, plans, path, path.replace("/", "-"))
    out = tmp_path / "comment.md"

    ok = agency.run(
        "projects", "comment", str(plans), "--matrix", matrix, "-o", str(out),
        "--max-credits", "50",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    body = out.read_text()
    assert body.startswith(MARKER + "\n### contentctl plan: 3 projects\n")
    assert body.count(MARKER) == 1
    totals = body.index("| 3 | 3 | 18 |")
    sections = [body.index(f"#### `{p}`") for p in AGENCY]
    assert totals < sections[0] < sections[1] < sections[2]
    assert "Within the repository's budget of 50 credits." in body
    assert "post/cold-brew-launch" in body[sections[1] : sections[2]]

    over = agency.run(
        "projects", "comment", str(plans), "--matrix", matrix, "-o", str(out),
        "--max-credits", "10",
    )  # fmt: skip
    assert over.exit_code == 1
    assert "over the repository's budget of 10" in over.stderr
    assert "**Over the repository's budget:** 18 credits estimated" in out.read_text()

    shutil.rmtree(plans / "brands-eastbay")  # its plan job failed
    failed = agency.run("projects", "comment", str(plans), "--matrix", matrix, "-o", str(out))
    assert failed.exit_code == 1 and "no plan for brands/eastbay" in failed.stderr
    assert "> **No plan for:** `brands/eastbay`" in out.read_text()

    # The detect job failed: no matrix, no comment file; the comment workflow says so.
    out.unlink()
    detect_failed = agency.run("projects", "comment", str(plans), "--matrix", "", "-o", str(out))
    assert detect_failed.exit_code == 1 and "--matrix is empty" in detect_failed.stderr
    assert not out.exists()


def test_a_comment_too_long_for_github_shortens_the_largest_sections(tmp_path: Path) -> None:
    from contentctl.report.projects import Section, comment

    big = Section("brands/big", "big", {"summary": {"credits": 5}, "changes": [{}] * 3}, "x" * 900)
    small = Section("brands/small", "small", {"summary": {"credits": 1}, "changes": [{}]}, "tiny")
    text = comment([big, small], None, budget=900)

    assert len(text) <= 900
    assert "tiny" in text and "x" * 900 not in text
    assert "3 changes, estimated 5 credits: too long for this comment" in text


def test_each_project_keeps_its_own_checkpoint_on_a_shared_branch(tmp_path: Path) -> None:
    """Applies of two projects run at once on main: neither checkpoint overwrites, nor
    deletes, the other's (a runner that dies would otherwise lose what its project paid)."""
    from contentctl.git import checkpoints

    agency = _agency(tmp_path)
    remote = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(agency.root), str(remote))
    git(agency.root, "remote", "add", "origin", str(remote))
    north = agency.root / "brands" / "northwind"
    south = agency.root / "brands" / "southpeak"
    checkpoints.push_checkpoint(north, north / "contentctl.lock", '{"north": 1}\n')
    checkpoints.push_checkpoint(south, south / "contentctl.lock", '{"south": 1}\n')

    refs = git(remote, "for-each-ref", "--format=%(refname)").stdout.split()
    assert sorted(r for r in refs if "contentctl" in r) == [
        "refs/contentctl/projects/brands/northwind/checkpoint/main",
        "refs/contentctl/projects/brands/southpeak/checkpoint/main",
    ]
    assert checkpoints.fetch_checkpoint(north, north / "contentctl.lock") == (
        None,
        '{"north": 1}\n',
    )
    checkpoints.drop_checkpoint(south)
    assert checkpoints.fetch_checkpoint(south, south / "contentctl.lock") is None
    found = checkpoints.fetch_checkpoint(north, north / "contentctl.lock")
    assert found is not None and found[1] == '{"north": 1}\n'


def test_a_computed_template_name_is_followed_by_rendering_the_project(tmp_path: Path) -> None:
    """`import picks` with picks a variable: what it loads is known once rendered."""
    agency = _agency(tmp_path)
    agency.edit("brands/eastbay/content/digest.yaml.j2", '"digest.j2"', "library ~ '.j2'")
    agency.edit(
        "brands/eastbay/contentctl.yaml",
        "    brand: Eastbay",
        "    library: digest\n    brand: Eastbay",
    )
    git(agency.root, "commit", "-qam", "Computed")

    agency.edit("shared/templates/launch.j2", "Warm, concrete", "Warm, plain")
    assert _projects(agency, "--changed-since", "HEAD") == [
        "brands/northwind",
        "brands/southpeak",
    ]
    agency.edit("shared/templates/digest.j2", "friendly", "cheerful")
    assert _projects(agency, "--changed-since", "HEAD") == list(AGENCY)


def test_more_projects_than_a_matrix_may_hold_is_an_error_that_says_so(tmp_path: Path) -> None:
    for index in range(257):
        folder = tmp_path / "brands" / f"b{index:03d}"
        folder.mkdir(parents=True)
        (folder / "contentctl.yaml").write_text(
            f"apiVersion: contentctl/v1\nkind: Project\nmetadata: {{name: b{index}}}\n"
        )
    many = Project(tmp_path, {})
    assert len(_projects(many)) == 257
    result = many.run("projects", "--format", "github-matrix", sandbox=False)
    assert result.exit_code == 1
    assert "257 projects are more than the 256 jobs a GitHub Actions matrix" in result.stderr


def test_a_library_inside_another_project_still_reaches_the_projects_that_load_it(
    tmp_path: Path,
) -> None:
    """A project at the repository's top holds the shared folder: a change there is its own,
    and also reaches the brands whose render loads the changed file."""
    agency = _agency(tmp_path)
    agency.write(
        "contentctl.yaml",
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: agency}\n"
        "spec:\n  content: [corporate]\n",
    )
    git(agency.root, "add", "-A")
    git(agency.root, "commit", "-qm", "The agency's own project")
    agency.edit("shared/templates/launch.j2", "Warm, concrete", "Warm, plain")

    assert _projects(agency, "--changed-since", "HEAD") == [
        ".",
        "brands/northwind",
        "brands/southpeak",
    ]


def test_a_template_library_that_is_absolute_or_a_file_is_told_as_such(tmp_path: Path) -> None:
    agency = _agency(tmp_path)
    inside = agency.root / "shared" / "templates"
    agency.edit("brands/eastbay/contentctl.yaml", "[../../shared/templates]", f"[{inside}]")
    absolute = Project(agency.root / "brands" / "eastbay", {}).run("validate")
    assert absolute.exit_code == 1
    assert f"template library '{inside}' is an absolute path" in absolute.stderr
    assert "outside the repository" not in absolute.stderr  # it is inside: the form is wrong

    agency.edit("brands/eastbay/contentctl.yaml", str(inside), "../../shared/templates/launch.j2")
    a_file = Project(agency.root / "brands" / "eastbay", {}).run("validate")
    assert a_file.exit_code == 1
    assert "'../../shared/templates/launch.j2' is not a folder (it is a file)" in a_file.stderr
    assert "does not exist" not in a_file.stderr

"""Invalid manifests: every problem, with file:line:col, in one run; nothing is changed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, Project

INVALID = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())
VALID = sorted(p for p in (FIXTURES / "valid").iterdir() if p.is_dir())
SENTINEL_LOCK = '{"format_version": "1.0", "lineage": "x", "resources": {}, "serial": 3}\n'


def _copy(case: Path, tmp_path: Path) -> Project:
    root = tmp_path / case.name
    shutil.copytree(case, root, ignore=shutil.ignore_patterns("expected.txt"))
    return Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_reports_expected_diagnostics(case: Path, tmp_path: Path) -> None:
    project = _copy(case, tmp_path)
    project.lockfile.write_text(SENTINEL_LOCK)
    expected = (case / "expected.txt").read_text()

    for command in (["validate"], ["plan"], ["apply", "--auto-approve"]):
        result = project.run(*command)
        assert result.exit_code == 1, (command, result.output)
        assert result.stderr == expected, command
        assert "Traceback" not in result.output

    assert project.lockfile.read_text() == SENTINEL_LOCK
    assert project.requests() == []


def test_every_diagnostic_line_has_a_location_and_a_severity() -> None:
    seen = 0
    for case in INVALID:
        for line in (case / "expected.txt").read_text().splitlines():
            if line.startswith("  hint:") or line.endswith("nothing was changed."):
                continue
            location, severity, _message = line.split(": ", 2)
            file, *position = location.split(":")
            assert file.startswith(("content/", "templates/", "vars/")), line
            if file.startswith("content/"):  # manifests always have a line and a column
                assert len(position) == 2 and all(int(p) >= 1 for p in position), line
            assert severity in ("error", "warning"), line
            seen += 1
    assert seen >= len(INVALID)


def test_all_problems_of_all_files_are_reported_in_one_run(tmp_path: Path) -> None:
    cases = [
        "unknown-field",
        "wrong-enum",
        "missing-required",
        "duplicate-name",
        "dangling-reference",
        "yaml-syntax",
    ]
    root = tmp_path / "many"
    (root / "content").mkdir(parents=True)
    shutil.copy(FIXTURES / "invalid" / cases[0] / "contentctl.yaml", root)
    expected_lines = []
    for case in cases:
        for source in (FIXTURES / "invalid" / case / "content").iterdir():
            target = root / "content" / case / source.name
            target.parent.mkdir(exist_ok=True)
            target.write_text(source.read_text().replace("name: launch", f"name: {case}"))
        for line in (FIXTURES / "invalid" / case / "expected.txt").read_text().splitlines():
            if line.startswith("content/"):
                expected_lines.append(line.replace("content/", f"content/{case}/"))

    result = Project(root, {}).run("validate")

    assert result.exit_code == 1
    reported = [line for line in result.stderr.splitlines() if line.startswith("content/")]
    assert sorted(reported) == sorted(expected_lines)
    assert reported == sorted(reported, key=lambda s: (s.split(":")[0], int(s.split(":")[1])))
    assert result.stderr.endswith(f"{len(expected_lines)} errors; nothing was changed.\n")


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case_validates_and_plans(case: Path, tmp_path: Path) -> None:
    project = _copy(case, tmp_path)

    result = project.run("validate")
    assert result.exit_code == 0, result.output
    plan = project.run("plan", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output


def test_valid_cases_apply_on_the_sandbox(tmp_path: Path) -> None:
    # The real API would refuse what the sandbox refuses: a valid manifest must apply.
    for case in VALID:
        project = _copy(case, tmp_path)
        result = project.run("apply", "--auto-approve")
        assert result.exit_code == 0, (case.name, result.output)
        assert project.run("plan", "--detailed-exitcode").exit_code == 0, case.name


def test_validate_with_no_manifests_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / "contentctl.yaml").write_text(
        "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: empty}\n"
    )
    for args in (["validate"], ["validate", "--json"]):
        result = Project(tmp_path, {}).run(*args, sandbox=False)

        assert result.exit_code == 1, result.output
        assert "valid" not in result.stdout
        assert "error: no manifests to validate" in result.stderr
        assert f"under content/ of {tmp_path}" in result.stderr


def test_validate_says_how_many_files_it_read(tmp_path: Path) -> None:
    project = _copy(VALID[0], tmp_path)
    result = project.run("validate", sandbox=False)
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"\d+ resources? valid, in \d+ files? under content/\.\n", result.stdout)

"""Schemas outside contentctl: exported for editors and other validators, which must agree
with `contentctl validate` on what is schema-valid; diagnostics as JSON and as annotations."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from helpers import EXAMPLES, FIXTURES, ROOT, Project

from contentctl.kinds import KIND_SCHEMAS
from contentctl.load.parse import parse_documents
from contentctl.validate.export import export
from contentctl.validate.manifests import CAMPAIGN
from contentctl.validate.schema import CAMPAIGN_SCHEMA, check_document
from contentctl.validate.schema_files import schema_dir

CORPORA = sorted([*(FIXTURES / "invalid").iterdir(), *(FIXTURES / "valid").iterdir()])


def _schema_valid_by_us(path: Path) -> bool | None:
    """Whether our schemas accept the file's one document; None when YAML itself fails."""
    documents, problems = parse_documents(path.read_text(), path.name)
    if problems or len(documents) != 1:
        return None
    document = documents[0]
    if not isinstance(document.data, dict):
        return False
    kind = document.kind
    schema = KIND_SCHEMAS.get(kind or "") or (CAMPAIGN_SCHEMA if kind == CAMPAIGN else None)
    return schema is not None and not check_document(document, schema)


def test_check_jsonschema_agrees_on_what_is_schema_valid(tmp_path: Path) -> None:
    exported = tmp_path / "schemas"
    export(exported)
    files = {
        p: _schema_valid_by_us(p)
        for case in CORPORA
        for p in sorted((case / "content").glob("*.yaml"))
    }
    compared = {p: ours for p, ours in files.items() if ours is not None}
    assert len(compared) >= 25 and any(compared.values()) and not all(compared.values())

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--output-format",
            "json",
            "--schemafile",
            str(exported / "manifest.schema.json"),
            *map(str, compared),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    failing = {Path(e["filename"]).resolve() for e in report.get("errors", [])}
    for path, ours in compared.items():
        theirs = path.resolve() not in failing
        assert ours == theirs, (path, ours, theirs)


def test_source_schemas_resolve_from_a_plain_path() -> None:
    """check-jsonschema given schemas/<kind>.schema.json, with no --base-uri, finds
    common.schema.json beside it and agrees with us; in this process, so the no_network
    fixture fails the test if anything is fetched."""
    from check_jsonschema import main

    by_schema: dict[str, dict[Path, bool]] = {}
    for case in CORPORA:
        for path in sorted((case / "content").glob("*.yaml")):
            ours = _schema_valid_by_us(path)
            documents, _ = parse_documents(path.read_text(), path.name)
            kind = documents[0].kind if ours is not None else None
            schema = KIND_SCHEMAS.get(kind or "") or (CAMPAIGN_SCHEMA if kind == CAMPAIGN else None)
            if schema is not None and ours is not None:
                by_schema.setdefault(schema, {})[path] = ours
    assert len(by_schema) >= 6

    for schema, files in by_schema.items():
        result = CliRunner().invoke(
            main,
            [
                "--output-format",
                "json",
                "--schemafile",
                str(ROOT / "schemas" / schema),
                *map(str, files),
            ],
        )
        report = json.loads(result.stdout)
        assert not report.get("parse_errors"), (schema, report)
        failing = {Path(e["filename"]).resolve() for e in report.get("errors", [])}
        for path, ours in files.items():
            assert ours == (path.resolve() not in failing), (schema, path)


def test_exported_schemas_are_self_contained_and_the_examples_copy_is_current(
    tmp_path: Path,
) -> None:
    written = export(tmp_path)
    for path in written:
        text = path.read_text()
        assert ".schema.json#" not in text  # no reference leaves the file
    committed = EXAMPLES / "schemas"
    assert sorted(p.name for p in committed.glob("*.json")) == sorted(p.name for p in written)
    for path in written:
        assert (committed / path.name).read_text() == path.read_text(), (
            f"{path.name} is stale: run `contentctl schema export examples/schemas`"
        )
    # Editors opening this repository check the examples against this copy (test_editors.py).
    associations = json.loads((ROOT / ".vscode" / "settings.json").read_text())["yaml.schemas"]
    assert {(ROOT / p).resolve() for p in associations} == {
        committed / "manifest.schema.json",
        committed / "project.schema.json",
    }


def test_schema_export_command(tmp_path: Path) -> None:
    result = Project(tmp_path, {}).run("schema", "export", str(tmp_path / "out"), sandbox=False)
    assert result.exit_code == 0
    assert (tmp_path / "out" / "manifest.schema.json").is_file()
    # By default into the project's schemas/, where init points editors.
    assert Project(tmp_path, {}).run("schema", "export", sandbox=False).exit_code == 0
    assert (tmp_path / "schemas" / "manifest.schema.json").is_file()
    # Never over the schemas contentctl reads (from a source tree, that is its schemas/).
    refused = Project(ROOT, {}).run("schema", "export", str(schema_dir()), sandbox=False)
    assert refused.exit_code == 1 and "holds the schemas contentctl itself reads" in refused.stderr


def _broken(tmp_path: Path, key: str) -> Project:
    root = tmp_path / "broken"
    shutil.copytree(
        FIXTURES / "invalid" / "wrong-enum", root, ignore=shutil.ignore_patterns("expected.txt")
    )
    manifest = root / "content" / "post.yaml"
    manifest.write_text(manifest.read_text() + f"  {json.dumps(key)}: 1\n")
    return Project(root, {})


def test_json_diagnostics_carry_location_path_and_hint(tmp_path: Path) -> None:
    result = _broken(tmp_path, "promt").run("validate", "--format", "json", sandbox=False)

    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    first = data["diagnostics"][0]
    assert first == {
        "severity": "error",
        "file": "content/post.yaml",
        "line": 5,
        "col": 32,
        "origin": None,
        "path": "/spec/post_types/1",
        "message": first["message"],
        "hint": "did you mean 'tiktok-video'?",
    }
    assert any(d["path"] == "/spec/promt" for d in data["diagnostics"])


def test_github_annotations_are_escaped_so_manifests_cannot_inject_commands(tmp_path: Path) -> None:
    evil = "x\n::error file=README.md::pwned,100%"
    result = _broken(tmp_path, evil).run("validate", "--format", "github", sandbox=False)

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert all(
        line.startswith("::error ") or line.startswith("contentctl validate:") for line in lines
    )
    injected = next(line for line in lines if "pwned" in line)
    assert "%0A::error file=README.md::pwned,100%25" in injected
    assert injected.startswith("::error file=content/post.yaml,line=")
    assert lines[-1] == "contentctl validate: 3 error(s), 0 warning(s)"


def test_github_annotations_summarise_past_what_github_shows(tmp_path: Path) -> None:
    root = tmp_path / "many"
    (root / "content").mkdir(parents=True)
    shutil.copy(FIXTURES / "invalid" / "wrong-enum" / "contentctl.yaml", root)
    for i in range(12):
        (root / "content" / f"p{i}.yaml").write_text(
            f"apiVersion: contentctl/v1\nkind: Post\nmetadata: {{name: p{i}}}\n"
            "spec: {post_types: [myspace]}\n"
        )
    result = Project(root, {}).run("validate", "--format", "github", sandbox=False)
    assert result.stdout.splitlines()[-1] == (
        "contentctl validate: 12 error(s), 0 warning(s); GitHub shows about 10 of each per "
        "step, so 2 are only in this log"
    )


def test_yaml_words_stay_text(tmp_path: Path) -> None:
    root = tmp_path / "words"
    shutil.copytree(FIXTURES / "valid" / "literal-captions", root)
    manifest = root / "content" / "post.yaml"
    manifest.write_text(
        manifest.read_text().replace('x: "Spring is here: our new collection"', "x: on")
    )

    result = Project(root, {}).run("render", "--format", "json", sandbox=False)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["manifest"]["spec"]["captions"]["text"]["x"] == "on"


def test_the_reference_docs_are_current(tmp_path: Path) -> None:
    result = Project(tmp_path, {}).run("docs", "generate", str(tmp_path / "docs"), sandbox=False)
    assert result.exit_code == 0, result.output
    committed = EXAMPLES.parent / "docs"
    for name in ("manifests.md", "cli.md"):
        fresh = (tmp_path / "docs" / name).read_text()
        assert (committed / name).read_text() == fresh, (
            f"docs/{name} is stale: run `contentctl docs generate docs`"
        )
    manifests = (committed / "manifests.md").read_text()
    assert "| `spec.captions.prompt` | string |" in manifests
    assert "## contentctl apply" in (committed / "cli.md").read_text()


def test_every_command_and_group_explains_itself_with_examples() -> None:
    import click

    from contentctl.cli import cli

    def commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
        found = []
        for name, command in group.commands.items():
            found.append((f"{prefix} {name}", command))
            if isinstance(command, click.Group):
                found += commands(command, f"{prefix} {name}")
        return found

    missing = [
        name
        for name, command in commands(cli, "contentctl")
        if "Example" not in (command.epilog or "")
    ]
    assert missing == []

"""Editors check manifests as `contentctl validate` does: every document of every file, at the
same line:col. Measured in the real yaml-language-server (tests/yaml_language_server.py),
configured as VS Code configures it, from the repository's .vscode/settings.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml_language_server as yls
from helpers import EXAMPLES, FIXTURES, ROOT, Project, git, git_repo

from contentctl.editors import write_settings
from contentctl.kinds import KIND_SCHEMAS
from contentctl.load.parse import parse_documents
from contentctl.validate.export import export
from contentctl.validate.manifests import CAMPAIGN
from contentctl.validate.schema import CAMPAIGN_SCHEMA, check_document

# Three kinds in one file, errors in each document: what only the first document's modeline
# used to cover (3 of these 9 shown).
MULTI_DOCUMENT = """\
apiVersion: contentctl/v1
kind: Post
metadata:
  name: launch
spec:
  post_types: [instagram-feed, myspace]
  captions:
    prompt: We just launched dark mode
    research_mod: regular
  publish: "yes"
---
apiVersion: contentctl/v1
kind: Carousel
metadata:
  name: tips
spec:
  template: {name: Bold Headlines}
  brand: {name: Acme}
  response_type: GIF
  slides:
    - {type: starting_slide, heading: Three reasons}
    - {type: middle_slide, heading: Easier on the eyes}
    - {type: ending_slide, heading: Try it, colour: red}
---
apiVersion: contentctl/v1
kind: Media
metadata:
  name: hero
spec:
  fil: ../assets/hero.png
"""


@pytest.fixture(scope="module")
def server_script(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    folder = cache.mkdir("yaml-language-server") if cache else tmp_path_factory.mktemp("yls")
    try:
        return yls.install(folder)
    except yls.CannotInstall as exc:
        pytest.skip(f"yaml-language-server {yls.VERSION} could not be installed with npm: {exc}")


def _associations(workspace: Path) -> dict[str, list[str]]:
    settings = json.loads((workspace / ".vscode" / "settings.json").read_text())
    associations: dict[str, list[str]] = settings["yaml.schemas"]
    return associations


def _positions(diagnostics: list[dict[str, object]]) -> set[tuple[int, int]]:
    """1-based line:col, as contentctl prints them, of an LSP diagnostic list."""
    found = set()
    for d in diagnostics:
        start = d["range"]["start"]  # type: ignore[index]
        found.add((start["line"] + 1, start["character"] + 1))
    return found


def _kind_lines(text: str) -> list[int]:
    """0-based line of the ``kind:`` key of every document."""
    return [i for i, line in enumerate(text.splitlines()) if line.startswith("kind:")]


def test_a_fresh_clone_shows_every_error_of_every_document_where_validate_does(
    tmp_path: Path, server_script: Path
) -> None:
    origin = tmp_path / "origin"
    assert Project(origin, {}).run("init", str(origin), sandbox=False).exit_code == 0
    git_repo(origin)
    git(tmp_path, "clone", "-q", str(origin), "clone")
    clone = tmp_path / "clone"
    assert (clone / "schemas" / "manifest.schema.json").is_file()  # committed, not ignored
    manifest = clone / "content" / "launch.yaml"
    manifest.write_text(MULTI_DOCUMENT)

    result = Project(clone, {}).run("validate", "--format", "json", sandbox=False)
    ours = {(d["line"], d["col"]) for d in json.loads(result.stdout)["diagnostics"]}

    with yls.running(server_script, clone, _associations(clone)) as editor:
        shown = editor.open(manifest)
        hovers = [editor.hover(manifest, line, 1) for line in _kind_lines(MULTI_DOCUMENT)]
        for scaffolded in (clone / "contentctl.yaml", clone / "content" / "hello.yaml"):
            assert editor.open(scaffolded) == [], scaffolded

    assert result.exit_code == 1 and len(ours) == 9
    assert _positions(shown) == ours, [d["message"] for d in shown]
    assert all(hover is not None for hover in hovers)  # every document has its schema


def _schema_positions(path: Path) -> set[tuple[int | None, int | None]] | None:
    """Where our schemas find fault in each document of ``path`` (no cross-file rules);
    None when it is not plain YAML (each side reports that with its own parser)."""
    documents, problems = parse_documents(path.read_text(), path.name)
    if problems:
        return None
    found = set()
    for document in documents:
        kind = document.kind or ""
        schema = KIND_SCHEMAS.get(kind) or (CAMPAIGN_SCHEMA if kind == CAMPAIGN else None)
        if schema is not None:
            found |= {(d.location.line, d.location.col) for d in check_document(document, schema)}
    return found


def test_the_editor_shows_each_schema_error_of_the_fixtures_where_validate_does(
    tmp_path: Path, server_script: Path
) -> None:
    export(tmp_path / "schemas")
    for corpus in ("invalid", "valid"):
        shutil.copytree(FIXTURES / corpus, tmp_path / corpus)
    associations = {"./schemas/manifest.schema.json": ["*/*/content/**/*.yaml"]}

    ours_by_path = {p: _schema_positions(p) for p in sorted(tmp_path.glob("*/*/content/**/*.yaml"))}
    with yls.running(server_script, tmp_path, associations) as editor:
        shown_by_path = editor.open_all(dict.fromkeys(ours_by_path))

    compared = 0
    for path, ours in ours_by_path.items():
        shown = _positions(shown_by_path[path])
        if ours is None:
            continue
        if path.relative_to(tmp_path).parts[0] == "valid":
            assert shown == set(), path
        else:
            # The editor may show more: consequences we leave out (a field missing because
            # it is misspelt). It shows nothing of our cross-file rules, which are not here.
            assert ours <= shown, (path, ours, shown)
            compared += len(ours)
    assert compared >= 15


def test_the_examples_are_checked_in_this_repository_and_templates_are_left_alone(
    server_script: Path,
) -> None:
    manifests = sorted([*EXAMPLES.glob("*/content/**/*.yaml"), *EXAMPLES.glob("*/contentctl.yaml")])
    templates = sorted(EXAMPLES.glob("**/*.j2"))
    assert len(manifests) >= 7 and len(templates) >= 5
    launch = EXAMPLES / "quickstart" / "content" / "launch.yaml"

    with yls.running(server_script, ROOT, _associations(ROOT)) as editor:
        shown = editor.open_all(dict.fromkeys(manifests))
        assert all(found == [] for found in shown.values()), shown
        for path in manifests:
            kinds = _kind_lines(path.read_text())
            assert kinds and all(editor.hover(path, line, 1) for line in kinds), path
        # A mistake typed (not saved) in the second document is shown.
        typo = launch.read_text().replace("size: portrait", "size: portait")
        assert len(editor.open(launch, typo)) == 1
        # Not YAML until rendered: no modeline, no glob, so no schema to fail against.
        editor.open_all(dict.fromkeys(templates))
        for path in templates:
            assert "yaml-language-server" not in path.read_text(), path
            kinds = _kind_lines(path.read_text())
            assert all(editor.hover(path, line, 1) is None for line in kinds), path


def test_a_source_schema_resolves_from_its_path_in_the_editor(
    tmp_path: Path, server_script: Path
) -> None:
    manifest = tmp_path / "post.yaml"
    manifest.write_text(
        f"# yaml-language-server: $schema={ROOT / 'schemas' / 'post.schema.json'}\n"
        "apiVersion: contentctl/v1\nkind: Post\nmetadata: {name: launch}\n"
        "spec:\n  post_types: [myspace]\n  captions: {prompt: We just launched dark mode}\n"
    )
    with yls.running(server_script, tmp_path, {}) as editor:
        shown = editor.open(manifest)
    # common.schema.json, found beside post.schema.json, checked apiVersion and metadata.
    assert _positions(shown) == {(6, 16)}, shown


def test_init_adds_to_existing_editor_settings_and_leaves_commented_ones_alone(
    tmp_path: Path,
) -> None:
    settings = tmp_path / ".vscode" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"editor.tabSize": 2, "yaml.schemas": {"k8s.json": ["deploy/*.yaml"]}}')
    ours = {"./schemas/manifest.schema.json": ["content/**/*.yaml"]}

    assert write_settings(tmp_path, ours) == "written"
    assert json.loads(settings.read_text()) == {
        "editor.tabSize": 2,
        "yaml.schemas": {"k8s.json": ["deploy/*.yaml"], **ours},
    }
    assert write_settings(tmp_path, ours) == "unchanged"
    commented = '// my settings\n{"editor.tabSize": 4}\n'
    settings.write_text(commented)
    assert write_settings(tmp_path, ours) == "not-json"
    assert settings.read_text() == commented

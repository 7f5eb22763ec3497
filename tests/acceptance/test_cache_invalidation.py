"""Each cache entry is used again exactly while what it was made from is unchanged: a byte
changed in a manifest, a variable file, a shared template library, an imported template,
the schemas, contentctl's version or the lockfile makes again what it reaches, and only
that. Counted by what a plan renders, parses, checks, plans and reads."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import Project, git

import contentctl
from contentctl.load import campaign, discover, signed
from contentctl.lockfile import read as lockfile_read
from contentctl.plan import diff
from contentctl.validate import cache, check_cache, schema_files

FILES = {
    "contentctl.yaml": """\
apiVersion: contentctl/v1
kind: Project
metadata: {name: caches}
spec:
  var_files: [vars/common.yaml]
  templates: [../shared]
""",
    "vars/common.yaml": "brand: Acme\n",
    "../shared/tags.j2": "{% macro tags(p) %}#{{ p }} #launch{% endmacro %}\n",
    "templates/words.j2": "{% macro cta() %}Order today{% endmacro %}\n",
    "templates/launch/post.yaml.j2": """\
{%- from "tags.j2" import tags %}
apiVersion: contentctl/v1
kind: Post
metadata: {name: announce}
spec:
  post_types: [x-post]
  captions: {text: {x: "{{ brand }} {{ product }} {{ tags(product) }}"}}
""",
    "content/launch.yaml": """\
apiVersion: contentctl/v1
kind: Campaign
metadata: {name: launch}
spec:
  template: launch
  matrix: {product: [widgets, gadgets]}
""",
    "content/plain.yaml": """\
apiVersion: contentctl/v1
kind: Post
metadata: {name: plain}
spec:
  post_types: [x-post]
  captions: {text: {x: Plain words}}
""",
    "content/rendered.yaml.j2": """\
{%- import "words.j2" as words %}
apiVersion: contentctl/v1
kind: Post
metadata: {name: rendered}
spec:
  post_types: [x-post]
  captions: {text: {x: "{{ brand }}: {{ words.cta() }}"}}
""",
}
CAMPAIGN = {"post/launch.widgets.announce", "post/launch.gadgets.announce"}
EVERYTHING = {*CAMPAIGN, "post/plain", "post/rendered"}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "repo" / "project"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root.parent, "init", "-q")  # the repository that holds the shared library
    made = Project(root, {"CONTENTCTL_SANDBOX_LATENCY": "0"})
    assert made.run("apply", "--auto-approve").exit_code == 0
    return made


class Work:
    """What one plan made again: files parsed, templates rendered, resources checked and
    planned, the lockfile read whole."""

    def __init__(self) -> None:
        self.parsed: Counter[str] = Counter()
        self.rendered: Counter[str] = Counter()
        self.checked: set[str] = set()
        self.planned: set[str] = set()
        self.validated: set[str] = set()
        self.lockfile_read = 0


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Project], Work]]:
    def counted(project: Project) -> Work:
        found = Work()

        def wrap(module: Any, name: str, count: Callable[..., None]) -> None:
            real = getattr(module, name)

            def counting(*args: Any, **kwargs: Any) -> Any:
                count(*args, **kwargs)
                return real(*args, **kwargs)

            monkeypatch.setattr(module, name, counting)

        wrap(discover, "parse_documents", lambda text, file: found.parsed.update([file]))
        wrap(campaign, "render_template", lambda env, s, file, *a: found.rendered.update([file]))
        wrap(check_cache, "check", lambda root, r, o: found.checked.add(r.address))
        wrap(diff, "steps_for", lambda r, root: found.planned.add(r.address))
        wrap(cache, "check_document", lambda d, s: found.validated.add(str(d.name)))

        def read(*args: Any) -> None:
            found.lockfile_read += 1

        wrap(lockfile_read, "read", read)  # what plan/lock_digest.py calls to read it whole
        result = project.run("plan", "--detailed-exitcode")
        assert result.exit_code in (0, 2), result.output
        monkeypatch.undo()
        return found

    yield counted


def test_an_unchanged_project_is_neither_loaded_nor_planned_again(
    project: Project, work: Callable[[Project], Work]
) -> None:
    work(project)  # the first plan after the apply: the lockfile is new to the caches
    again = work(project)

    assert not again.parsed and not again.rendered and not again.validated
    assert not again.checked and not again.planned and again.lockfile_read == 0


def test_a_byte_of_a_manifest_makes_that_file_again(
    project: Project, work: Callable[[Project], Work]
) -> None:
    work(project)
    project.edit("content/plain.yaml", "Plain words", "Plain wordz")

    again = work(project)

    assert set(again.parsed) == {"content/plain.yaml"} and not again.rendered
    assert again.checked == {"post/plain"} and again.planned == {"post/plain"}
    assert again.lockfile_read == 1  # its record is read to say what changed


def test_a_byte_of_a_variable_file_makes_what_renders_again(
    project: Project, work: Callable[[Project], Work]
) -> None:
    work(project)
    project.edit("vars/common.yaml", "Acme", "Acmf")

    again = work(project)

    assert "content/plain.yaml" not in again.parsed and "content/rendered.yaml.j2" in again.parsed
    assert set(again.rendered) == {"templates/launch/post.yaml.j2"}
    assert again.planned == {*CAMPAIGN, "post/rendered"}


def test_a_byte_of_a_shared_library_makes_what_imports_it_again(
    project: Project, work: Callable[[Project], Work]
) -> None:
    work(project)
    (project.root / "../shared/tags.j2").write_text(
        "{% macro tags(p) %}#{{ p }} #launched{% endmacro %}\n"
    )

    again = work(project)

    assert set(again.rendered) == {"templates/launch/post.yaml.j2"}
    assert "content/rendered.yaml.j2" not in again.parsed
    assert again.planned == CAMPAIGN


def test_a_byte_of_an_imported_template_makes_what_imports_it_again(
    project: Project, work: Callable[[Project], Work]
) -> None:
    work(project)
    project.edit("templates/words.j2", "Order today", "Order now")

    again = work(project)

    assert set(again.parsed) == {"content/rendered.yaml.j2"} and not again.rendered
    assert again.planned == {"post/rendered"}


def test_a_template_that_appears_earlier_in_the_search_path_is_a_change(
    project: Project, work: Callable[[Project], Work]
) -> None:
    work(project)
    project.write("templates/tags.j2", "{% macro tags(p) %}#{{ p }}{% endmacro %}\n")

    again = work(project)

    assert set(again.rendered) == {"templates/launch/post.yaml.j2"}


def test_a_byte_of_the_schemas_checks_and_plans_everything_again(
    project: Project,
    work: Callable[[Project], Work],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work(project)
    copy = tmp_path / "schemas"
    shutil.copytree(schema_files.schema_dir(), copy)
    post = copy / "post.schema.json"
    post.write_text(json.dumps(json.loads(post.read_text()), indent=1))
    monkeypatch.setattr(cache, "schema_dir", lambda: copy)
    cache._fingerprint.cache_clear()
    try:
        again = work(project)
    finally:
        cache._fingerprint.cache_clear()

    assert not again.parsed and not again.rendered  # documents do not depend on schemas
    names = {"caches", "launch", "plain", "rendered", *(a.split("/")[1] for a in CAMPAIGN)}
    assert again.validated == names  # contentctl.yaml and the Campaign too
    assert again.checked == EVERYTHING and again.planned == EVERYTHING


def test_another_version_of_contentctl_makes_everything_again(
    project: Project, work: Callable[[Project], Work], monkeypatch: pytest.MonkeyPatch
) -> None:
    work(project)
    monkeypatch.setattr(contentctl, "__version__", "99.0.0")
    signed.code_fingerprint.cache_clear()
    cache._fingerprint.cache_clear()
    try:
        again = work(project)
    finally:
        signed.code_fingerprint.cache_clear()
        cache._fingerprint.cache_clear()

    assert set(again.parsed) == {
        "content/launch.yaml",
        "content/plain.yaml",
        "content/rendered.yaml.j2",
    }
    assert set(again.rendered) == {"templates/launch/post.yaml.j2"}
    assert again.checked == EVERYTHING and again.planned == EVERYTHING
    assert again.lockfile_read == 1


def test_a_byte_of_the_lockfile_plans_again_what_its_records_reach(
    project: Project, work: Callable[[Project], Work]
) -> None:
    work(project)
    lock = json.loads(project.lockfile.read_text())
    lock["resources"]["post/plain"]["steps"]["post"]["status"] = "failed"
    project.lockfile.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n")

    again = work(project)

    assert not again.parsed and not again.checked
    assert again.lockfile_read == 1 and again.planned == {"post/plain"}


def test_a_kept_document_says_where_a_new_problem_is_as_a_parsed_one(
    tmp_path: Path,
) -> None:
    """A document found in the cache has no positions until a diagnostic asks: made again
    from its file (or its campaign instance), they say what parsing it would have said."""
    from helpers import copy_example

    project = Project(copy_example("full-campaign", tmp_path), {})
    path = project.root / "content" / "post.yaml"
    path.write_text("---\n# nothing here\n---\n" + path.read_text(encoding="utf-8"))
    blocked = tmp_path / "no-key"
    blocked.write_text("")
    assert project.run("validate").exit_code == 0  # kept, without positions
    # The post's check reads the carousels it uses: one of them now renders a PDF.
    project.edit("content/carousels.yaml.j2", "response_type: PNG", "response_type: PDF")

    kept = project.run("validate")
    made = project.run("validate", env={"CONTENTCTL_CACHE_KEY": str(blocked / "k")})

    assert "renders PDF" in made.stderr and "content/post.yaml:" in made.stderr
    assert (kept.exit_code, kept.stderr) == (made.exit_code, made.stderr)

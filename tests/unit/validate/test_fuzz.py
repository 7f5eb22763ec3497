"""Property: whatever text arrives in a manifest (YAML or Jinja), validation reports
diagnostics and never raises."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contentctl.config import load_project
from contentctl.validate.manifests import check_project

KEYS = st.sampled_from(
    [
        "apiVersion",
        "kind",
        "metadata",
        "name",
        "spec",
        "post_types",
        "captions",
        "prompt",
        "text",
        "images",
        "media",
        "size",
        "slides",
        "type",
        "heading",
        "template",
        "brand",
        "generate",
        "file",
        "labels",
        "matrix",
        "instances",
        "vars",
        "<<",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "Post",
            "Carousel",
            "Media",
            "Campaign",
            "contentctl/v1",
            "media/hero",
            "carousel/x",
            "x-post",
            "no",
            "1:30",
            "2026-01-01",
            "../../etc/passwd",
            "{{ x }}",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), inner, max_size=5),
    ),
    max_leaves=25,
)
MANIFESTS = st.fixed_dictionaries(
    {
        "apiVersion": st.sampled_from(["contentctl/v1", "v2"]),
        "kind": st.sampled_from(["Post", "Carousel", "Media", "Campaign", "Nope"]),
        "metadata": st.one_of(
            st.fixed_dictionaries({"name": st.sampled_from(["a", "b", "A B"])}), VALUES
        ),
    },
    optional={"spec": st.dictionaries(KEYS, VALUES, max_size=6)},
)
YAML_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab: -[]{}&*!|>#%@`'\"\n\t?,0123456789")), max_size=200),
    MANIFESTS.map(lambda m: yaml.safe_dump(m, allow_unicode=True)),
    st.lists(VALUES, max_size=3).map(lambda docs: yaml.safe_dump_all(docs)),
)
JINJA_TEXT = st.lists(
    st.sampled_from(
        [
            *list("{}%#() ab.|_-:\n'\""),
            "{{",
            "}}",
            "{%",
            "%}",
            " for ",
            " in ",
            " if ",
            "endif",
            " include ",
            " import ",
            "macro",
            "__class__",
            "range(",
            "cycler",
            "lipsum",
            "'part.j2'",
            "'../x'",
        ]
    ),
    max_size=40,
).map("".join)


def _check(files: dict[str, str]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content").mkdir()
        (root / "templates").mkdir()
        (root / "contentctl.yaml").write_text(
            "apiVersion: contentctl/v1\nkind: Project\nmetadata: {name: fuzz}\n"
        )
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        return check_project(load_project(root))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAML_TEXT)
def test_any_yaml_gives_diagnostics_not_a_traceback(text: str) -> None:
    manifests = _check({"content/fuzz.yaml": text})
    assert all(d.location.file for d in manifests.diagnostics)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JINJA_TEXT, YAML_TEXT)
def test_any_jinja_gives_diagnostics_not_a_traceback(template: str, body: str) -> None:
    manifests = _check(
        {"content/fuzz.yaml.j2": template + "\n" + body, "templates/part.j2": template}
    )
    assert all(d.location.file for d in manifests.diagnostics)

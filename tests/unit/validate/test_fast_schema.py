"""jsonschema-rs gives the first look at a document (validate/fast_schema.py); jsonschema stays
the judge. The two must agree: a document jsonschema-rs calls valid is never checked by
jsonschema, so one it calls valid that jsonschema would refuse is a problem nobody reports.
Held on every example document and on seeded random edits of them, and on values JSON has
no form for."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contentctl.config import load_project
from contentctl.kinds import KINDS
from contentctl.model import Document, Positions
from contentctl.validate import fast_schema
from contentctl.validate.manifests import check_project
from contentctl.validate.schema import CAMPAIGN_SCHEMA, PROJECT_SCHEMA, check_document, validator
from contentctl.validate.schema_files import load_schema

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EDITS_PER_DOCUMENT = 150
SEED = 20261202


def _example_documents() -> Iterator[tuple[str, str, Any]]:
    """(label, schema file, data) of every document of every example: resources, campaigns
    and project files."""
    import yaml

    for example in sorted(p for p in EXAMPLES.iterdir() if (p / "contentctl.yaml").is_file()):
        project = load_project(example)
        config = yaml.safe_load((example / "contentctl.yaml").read_text())
        yield example.name, PROJECT_SCHEMA, config
        manifests = check_project(project)
        assert not manifests.errors, manifests.errors
        for address, resource in manifests.graph.resources.items():
            yield f"{example.name}:{address}", KINDS[resource.kind].schema, resource.document.data
        for path in sorted((example / "content").rglob("*.yaml")):
            for data in yaml.safe_load_all(path.read_text()):
                if isinstance(data, dict) and data.get("kind") == "Campaign":
                    yield f"{example.name}:{path.name}", CAMPAIGN_SCHEMA, data


DOCUMENTS = list(_example_documents())

ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.5, 10**30, "", " ", "x", "hero\n", "Hero", "a" * 5000,
    "https://example.com/a.png", "http://example.com/a.png", "../x.png", "post/x",
    "carousel/x", "2026-01-01T10:00:00Z", "2026-13-45", "x-post", "linkedin", "portrait",
    "\u00e9t\u00e9", "\U0001f600", "\u0663", [], [1], ["x"], {}, {"x": 1}, {"file": "a.png"},
]  # fmt: skip


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*at, index))


def _edit(data: Any, rng: random.Random) -> Any:
    """One random edit: a value replaced, a key removed, renamed or added, an item dropped or
    repeated."""
    data = copy.deepcopy(data)
    path = rng.choice(list(_paths(data)))
    if not path:
        return rng.choice(ODD_VALUES)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    move = rng.randrange(5)
    if move == 0 or (move == 4 and not isinstance(parent[last], (dict, list))):
        parent[last] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif move == 1:
        del parent[last]
    elif move == 2 and isinstance(parent, dict):
        parent[rng.choice(["x", "name", "spec", "hero\n", "Spec", ""])] = parent.pop(last)
    elif move == 3 and isinstance(parent, dict):
        parent[rng.choice(["extra", "labels", "lifecycle", "prompt"])] = rng.choice(ODD_VALUES)
    elif isinstance(parent[last], list) and parent[last]:
        items = parent[last]
        items.append(copy.deepcopy(items[0])) if rng.random() < 0.5 else items.pop()
    elif isinstance(parent[last], dict) and parent[last]:
        parent[last].pop(rng.choice(list(parent[last])))
    return data


def _jsonschema_valid(data: Any, schema: str) -> bool:
    return not any(True for _ in validator(schema).iter_errors(data))


def test_jsonschema_rs_is_installed_and_reads_every_schema() -> None:
    for name in sorted({schema for _, schema, _ in DOCUMENTS}):
        assert fast_schema._validator(name) is not None, name


@pytest.mark.parametrize(("label", "schema", "data"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_both_find_every_example_document_valid(label: str, schema: str, data: Any) -> None:
    assert _jsonschema_valid(data, schema)
    assert fast_schema.known_valid(data, schema)


def test_seeded_random_edits_get_the_same_verdict_from_both() -> None:
    rng = random.Random(SEED)
    tried = refused = unreported = 0
    disagreements = []
    for label, schema, data in DOCUMENTS:
        for _ in range(EDITS_PER_DOCUMENT):
            edited = _edit(data, rng)
            for _ in range(rng.randrange(3)):
                edited = _edit(edited, rng)
            slow, fast = _jsonschema_valid(edited, schema), fast_schema.known_valid(edited, schema)
            tried += 1
            refused += not slow
            # A value beyond plain JSON (an integer past 2**53) is left to jsonschema.
            if slow != fast and fast_schema._plain_json(edited):
                disagreements.append((label, slow, fast, edited))
            unreported += fast and not slow
    assert tried == len(DOCUMENTS) * EDITS_PER_DOCUMENT
    assert refused > tried // 4  # the edits do break documents
    # Never valid for jsonschema-rs and refused by jsonschema (no problem would be reported),
    assert unreported == 0
    # and on plain JSON never the other way (every such document would be checked twice).
    assert disagreements == []


@pytest.mark.parametrize(
    "value",
    [
        ("a", "tuple"),
        [("a", "tuple in a list")],
        {"a", "set"},
        frozenset(),
        b"bytes",
        {1: "a key that is not text"},
        float("nan"),
        float("inf"),
        2**70,
        object(),
    ],
    ids=[
        "tuple",
        "nested-tuple",
        "set",
        "frozenset",
        "bytes",
        "int-key",
        "nan",
        "inf",
        "huge-int",
        "object",
    ],
)
def test_a_value_json_has_no_form_for_is_left_to_jsonschema(value: Any) -> None:
    """Where any value is allowed (a campaign's vars), jsonschema-rs would read a tuple as an
    array and call the document valid; whatever jsonschema makes of it is what counts."""
    data = copy.deepcopy(next(d for _, s, d in DOCUMENTS if s == CAMPAIGN_SCHEMA))
    assert fast_schema.known_valid(data, CAMPAIGN_SCHEMA)
    data.setdefault("spec", {}).setdefault("vars", {})["odd"] = value
    assert fast_schema.known_valid(data, CAMPAIGN_SCHEMA) is False


def test_without_jsonschema_rs_jsonschema_checks_every_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fast_schema, "_validator", lambda filename: None)
    schema = KINDS["Post"].schema
    data = next(d for _, s, d in DOCUMENTS if s == schema)
    assert check_document(Document("a.yaml", 0, data, Positions("a.yaml")), schema) == []
    broken = {**data, "kind": 7}
    problems = check_document(Document("a.yaml", 0, broken, Positions("a.yaml")), schema)
    assert problems and not fast_schema.known_valid(broken, schema)


def test_the_schemas_it_reads_are_the_shipped_ones() -> None:
    assert load_schema(KINDS["Post"].schema)["properties"]["kind"]

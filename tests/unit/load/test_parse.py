"""YAML with positions: every value and key keeps its line and column."""

from __future__ import annotations

from contentctl.load.parse import MAX_NODES_PER_DOCUMENT, parse_documents


def test_positions_of_values_and_keys_are_one_based() -> None:
    docs, problems = parse_documents("a: 1\nb:\n  c: [x, y]\n", "f.yaml")
    assert problems == []
    where = docs[0].positions
    assert str(where.of(("b", "c", 1))) == "f.yaml:3:10"
    assert str(where.of(("b", "c"), key=True)) == "f.yaml:3:3"
    assert str(where.of(("b", "missing"))) == "f.yaml:3:3"  # falls back to the parent


def test_multiple_documents_are_numbered_and_empty_ones_skipped() -> None:
    docs, problems = parse_documents("a: 1\n---\n---\nb: 2\n", "f.yaml")
    assert problems == []
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}]
    assert [d.index for d in docs] == [0, 2]


def test_duplicate_keys_are_errors_at_the_second_key() -> None:
    _docs, problems = parse_documents("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert [(str(p.location), p.message) for p in problems] == [
        ("f.yaml:3:1", "duplicate key 'a' (first defined at line 1)")
    ]


def test_bare_dates_stay_the_text_the_user_wrote() -> None:
    docs, _ = parse_documents("when: 2026-12-01\n", "f.yaml")
    assert docs[0].data == {"when": "2026-12-01"}


def test_alias_bombs_are_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    docs, problems = parse_documents("\n".join(lines) + "\n", "bomb.yaml")
    assert docs == []
    assert problems[0].message == f"document expands to more than {MAX_NODES_PER_DOCUMENT} values"


def test_syntax_errors_point_at_the_problem() -> None:
    _docs, problems = parse_documents("a: [1, 2\nb: 3\n", "f.yaml")
    assert len(problems) == 1
    assert problems[0].location.line == 2
    assert problems[0].message.startswith("YAML syntax error")

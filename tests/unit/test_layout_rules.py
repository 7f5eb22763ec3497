"""The rules the layout keeps, checked on the source: what a kind does is asked of the
registry, never decided by testing its name outside contentctl/kinds/ (the emulated APIs
excepted: they are the vendors' side); why a step runs is a value, not its message; apply
types every record; no context is an untyped dict; modules and functions stay short enough
to read whole (none over 400 lines, the median at most 120; no function over 60)."""

from __future__ import annotations

import ast
import re
import statistics
from pathlib import Path

import contentctl
from contentctl.kinds import KINDS

PACKAGE = Path(contentctl.__file__).parent
KIND_NAMES = "|".join(KINDS)
# A kind's name compared with, or used as a key: `kind == "Post"`, `{"Post": ...}`, `in ("Post",`.
KIND_TEST = re.compile(rf"""(==|!=|\bin\b\s*[(\[{{]|[{{,]\s*)\s*["']({KIND_NAMES})["']""")


def _sources(*excluded: str) -> dict[str, str]:
    return {
        str(p.relative_to(PACKAGE)): p.read_text()
        for p in PACKAGE.rglob("*.py")
        if not any(p.relative_to(PACKAGE).as_posix().startswith(e) for e in excluded)
    }


def test_the_pattern_sees_a_kind_test() -> None:
    assert KIND_TEST.search('if resource.kind == "Schedule":')
    assert KIND_TEST.search('checks = {"Media": _media, "Post": _post}')
    assert KIND_TEST.search("if kind in ('Brand', 'Video'):")
    assert not KIND_TEST.search('"""A Post: captions, images"""')


def test_no_module_outside_kinds_tests_a_kind_name() -> None:
    found = [
        f"{name}: {line.strip()}"
        for name, text in _sources("kinds/", "sandbox/").items()
        for line in text.splitlines()
        if KIND_TEST.search(line)
    ]

    assert found == []


def test_no_code_reads_a_plan_reason_as_words() -> None:
    found = [
        name
        for name, text in _sources().items()
        if re.search(r"\breason\.(startswith|endswith)\(|\breason\s*[!=]=\s*[\"']", text)
    ]

    assert found == []


def test_apply_has_no_type_ignore_and_no_context_is_an_untyped_dict() -> None:
    apply = _sources()
    ignored = [n for n, t in apply.items() if n.startswith("apply/") and "type: ignore" in t]
    untyped = [
        n for n, t in apply.items() if re.search(r"\b(ctx|context|extra)\s*:\s*dict\[str, Any\]", t)
    ]

    assert ignored == [] and untyped == []


def _function_lengths() -> dict[str, int]:
    """Lines of each function and method of the package (its decorators left out)."""
    lengths: dict[str, int] = {}
    for name, text in _sources().items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                end = node.end_lineno or node.lineno
                lengths[f"{name}:{node.lineno} {node.name}"] = end - node.lineno + 1
    return lengths


def test_modules_stay_small_enough_to_read_whole() -> None:
    lines = {name: len(text.splitlines()) for name, text in _sources().items()}

    assert {n: c for n, c in lines.items() if c > 400} == {}
    assert statistics.median(lines.values()) <= 120


def test_no_function_is_longer_than_a_screen() -> None:
    assert {n: c for n, c in _function_lengths().items() if c > 60} == {}


def test_the_length_rule_sees_a_long_function() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (node,) = ast.parse(f"def f():\n{body}\n").body

    assert isinstance(node, ast.FunctionDef) and (node.end_lineno or 0) - node.lineno + 1 == 62

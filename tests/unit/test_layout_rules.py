"""The rules the layout keeps, checked on the source: what a kind does is asked of the
registry, never decided by testing its name outside contentctl/kinds/ (the emulated APIs
excepted: they are the vendors' side); why a step runs is a value, not its message; apply
types every record; no context is an untyped dict."""

from __future__ import annotations

import re
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

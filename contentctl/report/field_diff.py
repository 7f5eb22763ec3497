"""Field values and their changes as the lines of a diff, one leaf value a line.

Nested values are flattened to paths (``slides[1].heading``) with keys in a stable (sorted)
order, and lists are compared item by item, so editing one word of one slide shows that one
slide's field, and inserting a slide shows one added slide, not a rewritten list. Text of
several lines is diffed line by line under its path.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

# (marker, text): "+" added, "-" removed, " " unchanged context
Line = tuple[str, str]
Show = Callable[[str, Any], Any]  # (top-level field, value) -> the value to show


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
CONTEXT = 3  # unchanged lines shown around a change in a text of several lines


def _absent(value: Any) -> bool:
    # The lockfile and the planner both write an unset optional field as null.
    return value is MISSING or value is None


def created(fields: Mapping[str, Any], show: Show | None = None) -> list[Line]:
    """Every leaf of ``fields`` (a step's inputs), as added lines; unset fields left out."""
    out: list[Line] = []
    for name, value in fields.items():
        shown = show(name, value) if show else value
        out.extend(("+", text) for text in _leaf_lines(name, shown))
    return out


def changed(name: str, before: Any, after: Any, show: Show | None = None) -> list[Line]:
    """The lines that turn ``before`` into ``after`` for the field ``name``."""
    if show:
        before = before if _absent(before) else show(name, before)
        after = after if _absent(after) else show(name, after)
    return _diff(name, before, after)


def _diff(path: str, before: Any, after: Any) -> list[Line]:
    if _absent(before) and _absent(after):
        return []
    if _absent(before):
        return [("+", t) for t in _leaf_lines(path, after)]
    if _absent(after):
        return [("-", t) for t in _leaf_lines(path, before)]
    if before == after and type(before) is type(after):
        return []
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out: list[Line] = []
        for key in sorted(set(before) | set(after), key=str):
            out += _diff(_child(path, key), before.get(key, MISSING), after.get(key, MISSING))
        return out
    if _is_list(before) and _is_list(after):
        return _list_diff(path, before, after)
    if isinstance(before, str) and isinstance(after, str) and _multiline(before, after):
        return _text_diff(path, before, after)
    return [("-", t) for t in _leaf_lines(path, before)] + [
        ("+", t) for t in _leaf_lines(path, after)
    ]


def _list_diff(path: str, before: Sequence[Any], after: Sequence[Any]) -> list[Line]:
    keys_before = [_canonical(v) for v in before]
    keys_after = [_canonical(v) for v in after]
    matcher = difflib.SequenceMatcher(a=keys_before, b=keys_after, autojunk=False)
    out: list[Line] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):  # the same position, edited: show what changed inside it
            out += _diff(f"{path}[{j1 + k}]", before[i1 + k], after[j1 + k])
        for i in range(i1 + paired, i2):
            out += [("-", t) for t in _leaf_lines(f"{path}[{i}]", before[i])]
        for j in range(j1 + paired, j2):
            out += [("+", t) for t in _leaf_lines(f"{path}[{j}]", after[j])]
    return out


def _text_diff(path: str, before: str, after: str) -> list[Line]:
    old, new = before.splitlines(), after.splitlines()
    out: list[Line] = [(" ", f"{path}: |")]
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    shown_up_to = 0
    for group in matcher.get_grouped_opcodes(CONTEXT):
        if group[0][1] > shown_up_to:
            out.append((" ", "  …"))  # unchanged lines left out
        shown_up_to = group[-1][2]
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                out += [(" ", "  " + _visible(line)) for line in old[i1:i2]]
                continue
            out += [("-", "  " + _visible(line)) for line in old[i1:i2]]
            out += [("+", "  " + _visible(line)) for line in new[j1:j2]]
    if shown_up_to < len(old):
        out.append((" ", "  …"))
    return out


def _leaf_lines(path: str, value: Any) -> Iterator[str]:
    """``path: value`` for each leaf; text of several lines as a block under its path."""
    if _absent(value) or ((isinstance(value, Mapping) or _is_list(value)) and not value):
        return  # unset, or empty: nothing a reader needs to see
    if isinstance(value, Mapping):
        for key in sorted(value, key=str):
            yield from _leaf_lines(_child(path, key), value[key])
    elif _is_list(value):
        inline = _inline_list(value)
        if inline is not None:
            yield f"{path}: {inline}"
            return
        for i, item in enumerate(value):
            yield from _leaf_lines(f"{path}[{i}]", item)
    elif isinstance(value, str) and len(value.splitlines()) > 1:
        yield f"{path}: |"
        yield from ("  " + _visible(line) for line in value.splitlines())
    else:
        yield f"{path}: {scalar(value)}"


def _inline_list(items: Sequence[Any]) -> str | None:
    """A short list of plain values on one line: ``[instagram-reel, x-post]``."""
    shown = [scalar(i) for i in items if not isinstance(i, (Mapping, list, tuple))]
    if len(shown) < len(items) or any(c in s for s in shown for c in ",[]"):
        return None
    line = "[" + ", ".join(shown) + "]"
    return line if len(line) <= 100 else None


def scalar(value: Any) -> str:
    """A leaf as a reader expects it: plain text bare, anything ambiguous as JSON."""
    if isinstance(value, str):
        plain = value and value == value.strip() and value.isprintable()
        if plain and not _looks_like_json(value):
            return value
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


def _looks_like_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return text.startswith(('"', "[", "{"))
    return True


def _visible(line: str) -> str:
    """A line of text with control characters shown as escapes (tabs kept)."""
    if line.isprintable() or all(c.isprintable() or c == "\t" for c in line):
        return line
    return "".join(c if c.isprintable() or c == "\t" else f"\\u{ord(c):04x}" for c in line)


def _multiline(*texts: str) -> bool:
    return any(len(t.splitlines()) > 1 for t in texts)


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _child(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)

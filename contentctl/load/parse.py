"""YAML documents with source positions.

PyYAML's composed nodes carry 0-based marks; we build the Python data ourselves from
the node tree so every value and key keeps its 1-based ``line:col``, duplicate keys
are caught (PyYAML silently keeps the last one), and alias expansion is bounded.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any, ClassVar

import yaml

from contentctl.errors import Location
from contentctl.model import Diagnostic, Document, JsonPath, Positions

try:  # the C parser is several times faster; the pure one behaves the same
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """YAML 1.2 scalars: only true/false are booleans and nothing is base 60, so words like
    no, on, off and times like 1:30 stay the text the writer meant (YAML 1.1 traps)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag
            not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        ]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """Remembered for plain scalars, whose tag (with no path resolvers) follows from
        their text alone: the C parser asks once per scalar, and manifests repeat most."""
        if kind is not yaml.ScalarNode or not implicit[0] or self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        found = _RESOLVED.get(value)
        if found is None:
            found = super().resolve(kind, value, implicit)
            if len(_RESOLVED) < _RESOLVED_MAX:
                _RESOLVED[value] = found
        return found


# Plain scalars' tags by their text (see _Loader.resolve); bounded, as values need not repeat.
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX = 50_000


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES_PER_DOCUMENT = 200_000
MAX_DEPTH = 64  # manifests nest a few levels; hundreds only exhaust the interpreter's stack

_constructor = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset(
    {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap"}
)


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[JsonPath, tuple[int, int]] = {}
        self.keys: dict[JsonPath, tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.refused: list[JsonPath] = []
        self.nodes = 0

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES_PER_DOCUMENT:
            raise _TooLarge
        if len(path) > MAX_DEPTH:
            raise _TooDeep(node)
        if path not in self.values:
            mark = node.start_mark
            self.values[path] = (mark.line + 1, mark.column + 1)
        if type(node) is yaml.ScalarNode and node.tag == _STR:
            return node.value  # most values: no constructor needed
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            self.refused.append(path)
            self._error(
                node,
                path,
                f"unsupported YAML tag {node.tag}",
                hint="only plain YAML data is allowed (no language-specific tags)",
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        _constructor.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is yaml.ScalarNode and key_node.tag == _STR:
                key: Any = key_node.value
            elif isinstance(key_node, yaml.ScalarNode):
                key = self._scalar(key_node, path)
            else:
                key = None
            if not isinstance(key, str):
                key = str(key) if key is not None else "<complex key>"
                self._error(
                    key_node, path, f"mapping key {key!r} must be a string", hint="quote the key"
                )
            child = (*path, key)
            if key in result:
                first = self.keys[child]
                self._error(
                    key_node,
                    child,
                    f"duplicate key {key!r} (first defined at line {first[0]})",
                    hint="remove one of the two keys",
                )
                continue
            mark = key_node.start_mark
            self.keys[child] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: yaml.Node, path: JsonPath) -> Any:
        if node.tag == _STR and isinstance(node, yaml.ScalarNode):
            return node.value  # most values: no constructor needed
        try:
            value = _constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.refused.append(path)
            self._error(
                node,
                path,
                f"unsupported YAML value: {exc.problem}",
                hint="only plain YAML data is allowed (no language-specific tags)",
            )
            return None
        if isinstance(value, (datetime.date, datetime.datetime)):
            # YAML 1.1 turns bare dates into date objects; manifests want the text the user wrote.
            return node.value
        if isinstance(value, float) and not math.isfinite(value):
            # .nan compares false with every limit: a budget of .nan would be no budget.
            self.refused.append(path)
            self._error(
                node,
                path,
                f"{node.value} is not a number a manifest can use",
                hint="write a finite number (.nan, .inf and -.inf are refused)",
            )
            return None
        return value

    def _error(
        self, node: yaml.Node, path: JsonPath, message: str, hint: str | None = None
    ) -> None:
        line, col = _mark(node)
        self.diagnostics.append(
            Diagnostic(Location(self.file, line, col), message, json_path=path, hint=hint)
        )


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def parse_documents(text: str, file: str) -> tuple[list[Document], list[Diagnostic]]:
    """Parse every YAML document of ``text``; problems come back as diagnostics."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        return [], [
            Diagnostic(
                Location(file, 1, 1),
                f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
                hint="split it into several manifest files",
            )
        ]
    documents: list[Document] = []
    diagnostics: list[Diagnostic] = []
    loader = _Loader(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            document, found = _document(node, file, index)
            documents.extend([document] if document else [])
            diagnostics.extend(found)
            index += 1
    except yaml.MarkedYAMLError as exc:
        diagnostics.append(_syntax_error(exc, file))
    except yaml.YAMLError as exc:
        diagnostics.append(Diagnostic(Location(file, 1, 1), f"YAML error: {exc}"))
    except RecursionError:
        diagnostics.append(
            Diagnostic(
                Location(file, 1, 1),
                "YAML nests too deeply to read",
                hint="manifests nest a few levels; flatten the file",
            )
        )
    finally:
        loader.dispose()
    return documents, diagnostics


def _document(node: yaml.Node, file: str, index: int) -> tuple[Document | None, list[Diagnostic]]:
    """One YAML document as data with positions, or why it is refused whole."""
    builder = _Builder(file)
    try:
        data = builder.build(node, ())
    except _TooLarge:
        line, col = _mark(node)
        return None, [
            Diagnostic(
                Location(file, line, col),
                f"document expands to more than {MAX_NODES_PER_DOCUMENT} values",
                hint="YAML aliases that expand this much are refused (an alias bomb?)",
            )
        ]
    except _TooDeep as deep:
        line, col = _mark(deep.node)
        return None, [
            Diagnostic(
                Location(file, line, col),
                f"document nests deeper than {MAX_DEPTH} levels",
                hint="manifests nest a few levels; flatten this part",
            )
        ]
    if data is None:
        return None, builder.diagnostics
    positions = Positions(file, builder.values, builder.keys)
    document = Document(file, index, data, positions, refused=tuple(builder.refused))
    return document, builder.diagnostics


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> Diagnostic:
    """Where the error starts: an unclosed quoted string is reported where it opens (PyYAML's
    context mark), not at the end of the file where the parser gave up."""
    context = exc.context or ""
    opened = exc.context_mark is not None and context.startswith("while scanning")
    mark = exc.context_mark if opened else (exc.problem_mark or exc.context_mark)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or context or "invalid YAML"
    if opened:
        what = context.removeprefix("while scanning ").strip()
        message = f"{what} that starts here is not closed: {problem}"
        if "quoted" in what:
            hint: str | None = "close the quote (a quote inside it must be doubled or escaped)"
        else:
            hint = _yaml_hint(problem)
        return Diagnostic(Location(file, line, col), f"YAML syntax error: {message}", hint=hint)
    return Diagnostic(
        Location(file, line, col), f"YAML syntax error: {problem}", hint=_yaml_hint(problem)
    )


def _yaml_hint(problem: str) -> str | None:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted"
    if "could not find expected ':'" in problem:
        return "check the indentation of the lines above"
    return None

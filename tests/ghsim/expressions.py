"""GitHub Actions expressions, just enough of them: contexts, literals, ``== != && || !``, and
the functions a workflow's ``if:`` uses. Anything else raises: a simulator that silently
passes an expression it does not understand would test nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

STATUS_FUNCTIONS = ("always", "success", "failure", "cancelled")
EMBEDDED = re.compile(r"\$\{\{(.*?)\}\}", re.S)
TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[!<>(),.\[\]])|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
GITHUB_KEYS = (
    "repository",
    "event_name",
    "ref",
    "ref_name",
    "sha",
    "base_ref",
    "head_ref",
    "run_id",
    "run_attempt",
    "actor",
    "workspace",
    "server_url",
    "api_url",
    "token",
)


class ExpressionError(Exception):
    """An expression this simulator does not understand (it never guesses)."""


@dataclass
class Contexts:
    """What expressions can read. ``status`` is the job's: success, failure or cancelled."""

    github: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    vars: Mapping[str, str] = field(default_factory=dict)
    runner: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    steps: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    status: str = "success"
    event: Mapping[str, Any] = field(default_factory=dict)  # the payload: github.event
    # This job's matrix entry, and the jobs it needs ({job: {result, outputs}}): None for a
    # job without strategy.matrix or needs, where naming them is a mistake.
    matrix: Mapping[str, Any] | None = None
    needs: Mapping[str, Mapping[str, Any]] | None = None

    def lookup(self, path: list[str]) -> Any:
        root, rest = path[0], path[1:]
        if root in ("secrets", "vars", "env"):
            # Like GitHub: a secret or variable that is not set reads as empty.
            if len(rest) != 1:
                raise ExpressionError(f"{'.'.join(path)}: expected {root}.NAME")
            return getattr(self, root).get(rest[0], "")
        if root == "github" and rest[:1] == ["event"]:
            return self._event(rest[1:])
        if root == "github":
            if len(rest) != 1 or rest[0] not in GITHUB_KEYS:
                raise ExpressionError(f"{'.'.join(path)} is not simulated")
            return self.github.get(rest[0], "")
        if root == "runner":
            if len(rest) != 1 or rest[0] not in self.runner:
                raise ExpressionError(f"{'.'.join(path)} is not simulated")
            return self.runner[rest[0]]
        if root == "steps":
            return self._step(path)
        if root == "job" and rest == ["status"]:
            return self.status
        if root == "matrix" and self.matrix is not None:
            if len(rest) != 1:
                raise ExpressionError(f"{'.'.join(path)}: expected matrix.NAME")
            return self.matrix.get(rest[0])  # like GitHub: a property it lacks is null
        if root == "needs" and self.needs is not None:
            return self._needs(path)
        raise ExpressionError(f"unknown context {root!r} in {'.'.join(path)}")

    def _event(self, path: list[str]) -> Any:
        """Like GitHub: a property the payload does not have reads as null."""
        value: Any = self.event
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        return value

    def _needs(self, path: list[str]) -> Any:
        assert self.needs is not None
        if len(path) < 3 or path[1] not in self.needs:
            raise ExpressionError(f"{'.'.join(path)}: the job does not need {path[1:2]}")
        job = self.needs[path[1]]
        if path[2] == "outputs" and len(path) == 4:
            return job.get("outputs", {}).get(path[3], "")
        if path[2] == "result" and len(path) == 3:
            return job.get("result", "")
        raise ExpressionError(f"{'.'.join(path)} is not simulated")

    def _step(self, path: list[str]) -> Any:
        if len(path) < 3 or path[1] not in self.steps:
            raise ExpressionError(f"{'.'.join(path)}: no earlier step has that id")
        step = self.steps[path[1]]
        if path[2] == "outputs" and len(path) == 4:
            return step.get("outputs", {}).get(path[3], "")
        if path[2] in ("outcome", "conclusion") and len(path) == 3:
            return step.get(path[2], "")
        raise ExpressionError(f"{'.'.join(path)} is not simulated")


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", 0)


def _number(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()  # GitHub compares strings ignoring case
    if type(left) is type(right):
        return bool(left == right)
    return _number(left) == _number(right)


def text_of(value: Any) -> str:
    """How a value reads when interpolated into a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)  # as GitHub shows an object in a string
    return str(value)


class _Parser:
    def __init__(self, text: str, contexts: Contexts) -> None:
        self.text = text
        self.contexts = contexts
        self.tokens = self._tokenize(text)
        self.at = 0

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens, position = [], 0
        while position < len(text.rstrip()):
            match = TOKEN.match(text, position)
            if match is None or match.end() == position:
                raise ExpressionError(f"cannot read {text!r} at {text[position:]!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            position = match.end()
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise ExpressionError(f"{self.text!r} ends early")
        token = self.tokens[self.at]
        if expected is not None and token[1] != expected:
            raise ExpressionError(f"{self.text!r}: expected {expected!r}, found {token[1]!r}")
        self.at += 1
        return token

    def parse(self) -> Any:
        value = self.either()
        if self.at != len(self.tokens):
            raise ExpressionError(f"{self.text!r}: unexpected {self.peek()!r}")
        return value

    def either(self) -> Any:
        value = self.both()
        while self.peek() == "||":
            self.take()
            other = self.both()
            value = value if _truthy(value) else other
        return value

    def both(self) -> Any:
        value = self.comparison()
        while self.peek() == "&&":
            self.take()
            other = self.comparison()
            value = other if _truthy(value) else value
        return value

    def comparison(self) -> Any:
        value = self.unary()
        operators: dict[str, Callable[[Any, Any], bool]] = {
            "==": _equal,
            "!=": lambda a, b: not _equal(a, b),
            "<": lambda a, b: _number(a) < _number(b),
            ">": lambda a, b: _number(a) > _number(b),
            "<=": lambda a, b: _number(a) <= _number(b),
            ">=": lambda a, b: _number(a) >= _number(b),
        }
        while self.peek() in operators:
            operator = operators[self.take()[1]]
            value = operator(value, self.unary())
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not _truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, token = self.take()
        if token == "(":
            value = self.either()
            self.take(")")
            return value
        if kind == "string":
            return token[1:-1].replace("''", "'")
        if kind == "number":
            return float(token)
        if kind != "name":
            raise ExpressionError(f"{self.text!r}: unexpected {token!r}")
        if token in ("true", "false"):
            return token == "true"
        if token == "null":
            return None
        if self.peek() == "(":
            return self.call(token)
        path = [token]
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                path.append(self.take()[1])
            else:
                kind, key = self.take()
                if kind != "string":
                    raise ExpressionError(f"{self.text!r}: only 'literal' indexes are simulated")
                path.append(key[1:-1])
                self.take("]")
        return self.contexts.lookup(path)

    def call(self, name: str) -> Any:
        self.take("(")
        arguments = []
        while self.peek() != ")":
            arguments.append(self.either())
            if self.peek() == ",":
                self.take()
        self.take(")")
        status = self.contexts.status
        if name in STATUS_FUNCTIONS:
            if arguments:
                raise ExpressionError(f"{name}() takes no arguments")
            return {
                "always": True,
                "success": status == "success",
                "failure": status == "failure",
                "cancelled": status == "cancelled",
            }[name]
        if name.casefold() == "fromjson" and len(arguments) == 1:
            try:
                return json.loads(text_of(arguments[0]))
            except ValueError as exc:
                raise ExpressionError(f"fromJSON: {exc}") from None
        if name.casefold() == "tojson" and len(arguments) == 1:
            return json.dumps(arguments[0], indent=2)
        strings = [text_of(a).casefold() for a in arguments]
        if name == "contains" and len(strings) == 2:
            return strings[1] in strings[0]
        if name == "startsWith" and len(strings) == 2:
            return strings[0].startswith(strings[1])
        if name == "endsWith" and len(strings) == 2:
            return strings[0].endswith(strings[1])
        raise ExpressionError(f"function {name}() is not simulated")


def evaluate(expression: str, contexts: Contexts) -> Any:
    """The value of one expression (the text inside ``${{ }}``)."""
    return _Parser(expression.strip(), contexts).parse()


def interpolate(text: str, contexts: Contexts) -> str:
    """``text`` with every ``${{ ... }}`` replaced by its value."""
    return EMBEDDED.sub(lambda m: text_of(evaluate(m.group(1), contexts)), text)


def condition(text: str | bool | None, contexts: Contexts) -> bool:
    """An ``if:``. Without a status function, GitHub reads it as ``success() && (...)``."""
    if text is None:
        return contexts.status == "success"
    if isinstance(text, bool):
        return text and contexts.status == "success"
    expression = text.strip()
    whole = EMBEDDED.fullmatch(expression)
    if whole:
        expression = whole.group(1).strip()
    elif "${{" in expression:
        raise ExpressionError(f"if: {text!r} mixes text and expressions")
    if not re.search(rf"\b({'|'.join(STATUS_FUNCTIONS)})\s*\(", expression):
        expression = f"success() && ({expression})"
    return _truthy(evaluate(expression, contexts))

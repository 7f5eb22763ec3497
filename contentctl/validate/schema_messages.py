"""A schema error in the user's words: what is wrong with a field (its type named as YAML
writes it, a long value clipped) and how to fix it (a close match, quotes, true or false)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from contentctl.model import JsonPath

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def message_for(error: ValidationError, path: JsonPath) -> str:
    name = dotted(path)
    value: Any = error.validator_value
    instance = error.instance
    if error.validator == "enum":
        return f"{name}: {_short(instance)} is not one of {', '.join(repr(v) for v in value)}"
    if error.validator == "const":
        return f"{name} must be {value!r}, not {_short(instance)}"
    if error.validator == "type":
        return f"{name}: expected {_type_name(value)}, got {_type_name(_json_type(instance))}"
    if error.validator == "not":
        description = error.schema.get("description") if isinstance(error.schema, Mapping) else None
        what = name if isinstance(instance, (dict, list)) else f"{name}: {_short(instance)}"
        return f"{what} is not allowed here" + (f" ({description})" if description else "")
    if (
        error.validator == "pattern"
        and isinstance(error.schema, Mapping)
        and error.schema.get("description")
    ):
        return f"{name}: {_short(instance)} does not have the expected form"
    if error.validator == "contains" or error.validator in ("minContains", "maxContains"):
        return f"{name}: {_contains_message(error)}"
    return f"{name}: {error.message.replace(repr(instance), _short(instance))}"


def _short(value: Any, limit: int = 200) -> str:
    """A value as the message shows it: a long one clipped, with its length."""
    shown = repr(value)
    if len(shown) <= limit:
        return shown
    size = f" ({len(value):,} characters)" if isinstance(value, str) else ""
    return shown[: limit - 1] + "…" + size


def hint_for(error: ValidationError) -> str | None:
    rule: Any = error.validator_value
    if error.validator == "enum" and isinstance(error.instance, str):
        close = difflib.get_close_matches(error.instance, [str(v) for v in rule], n=1)
        if close:
            return f"did you mean '{close[0]}'?"
    if error.validator == "type" and not isinstance(error.instance, (dict, list)):
        if _wants_string(rule):
            return "put the value in quotes to make it text"
        if rule == "boolean" and isinstance(error.instance, str):
            return "write true or false (yes, no, on and off are text in YAML 1.2)"
        if rule in ("integer", "number") and isinstance(error.instance, str):
            return "write a number, without quotes"
    if error.validator == "pattern" and isinstance(error.schema, Mapping):
        description = error.schema.get("description")
        return str(description) if description else None
    return None


def _contains_message(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    target = schema.get("contains", {}).get("properties", {}).get("type", {}).get("const")
    if target is None:
        return str(error.message)
    if schema.get("maxContains") == 1 and schema.get("minContains") == 1:
        return f"exactly one {target} is required"
    return f"at least one {target} is required"


def allowed(known: list[str]) -> str | None:
    return f"allowed fields: {', '.join(known)}" if known else None


def _wants_string(value: Any) -> bool:
    return value == "string" or (isinstance(value, list) and "string" in value)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _type_name(value: Any) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "true or false",
        "null": "nothing",
    }
    if isinstance(value, list):
        return " or ".join(names.get(str(v), str(v)) for v in value)
    return names.get(value, str(value))


def dotted(path: JsonPath) -> str:
    if not path:
        return "document"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text

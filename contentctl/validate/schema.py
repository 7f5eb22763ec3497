"""JSON Schema validation that reports ``file:line:col`` and says how to fix it."""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentctl.model import Diagnostic, Document, JsonPath

# jsonschema is imported when a document is actually checked: a plan whose manifests are
# all known valid (validate/cache.py) never pays for importing it.
if TYPE_CHECKING:
    import jsonschema
    import referencing
    from jsonschema.exceptions import ValidationError

PROJECT_SCHEMA = "project.schema.json"
CAMPAIGN_SCHEMA = "campaign.schema.json"


def schema_dir() -> Path:
    """The schemas shipped inside the package, or the repository's when run from source."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "schemas"
    return installed if installed.is_dir() else here.parent / "schemas"


@functools.cache
def _registry() -> referencing.Registry[Any]:
    import referencing
    from referencing.jsonschema import DRAFT202012

    # The schemas have no $id: a $ref such as "common.schema.json#/$defs/metadata" resolves
    # against the file's own location, so any tool given a plain path finds its neighbours.
    resources = [
        (path.name, DRAFT202012.create_resource(json.loads(path.read_text(encoding="utf-8"))))
        for path in sorted(schema_dir().glob("*.schema.json"))
    ]
    return referencing.Registry().with_resources(resources)


@functools.cache
def load_schema(filename: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((schema_dir() / filename).read_text(encoding="utf-8"))
    return data


@functools.cache
def validator(filename: str) -> jsonschema.Draft202012Validator:
    # Building a validator costs far more than using it: one per schema per process.
    validator_class = _ecma_validator()
    result: jsonschema.Draft202012Validator = validator_class(
        load_schema(filename), registry=_registry()
    )
    return result


@functools.cache
def _ecma_validator() -> Any:
    """Draft 2020-12 with ``pattern`` read as JSON Schema says, in ECMA-262 terms: ``$`` is
    the end of the text. Python's ``$`` also matches before a final newline, so a name
    "hero\n" passed ``^[a-z0-9]...$`` and printed like "hero"."""
    import jsonschema
    from jsonschema import validators

    def pattern(validator: Any, wanted: str, instance: Any, schema: Any) -> Any:
        if isinstance(instance, str) and not _ecma_regex(wanted).search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {wanted!r}")

    return validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft202012Validator, {"pattern": pattern}
    )


@functools.cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def check_document(document: Document, schema_file: str) -> list[Diagnostic]:
    """Every schema problem of one document, each located at the offending key or value."""
    found: list[Diagnostic] = []
    for error in validator(schema_file).iter_errors(document.data):
        found.extend(_diagnostics(error, document))
    return _without_consequences(found)


def _without_consequences(found: list[Diagnostic]) -> list[Diagnostic]:
    """Drop "needs one of: a, b" when a misspelt field right there is the cause."""
    suggested = {(d.json_path[:-1], d.hint) for d in found if d.message.startswith("unknown field")}
    kept = []
    for d in found:
        if " needs one of: " in d.message:
            options = d.message.split(" needs one of: ", 1)[1].split(", ")
            if any((d.json_path, f"did you mean '{o}'?") in suggested for o in options):
                continue
        kept.append(d)
    return kept


def _diagnostics(error: ValidationError, document: Document) -> Iterable[Diagnostic]:
    path: JsonPath = tuple(error.absolute_path)
    where = document.positions
    instance = error.instance
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    validator_name = error.validator
    rule: Any = error.validator_value

    if validator_name == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        for key in sorted(set(instance) - set(known)):
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else _allowed(known)
            yield Diagnostic(
                where.of((*path, key), key=True),
                f"unknown field '{key}' in {_dotted(path)}",
                json_path=(*path, key),
                hint=hint,
            )
        return
    # A missing field is reported where the mapping that lacks it is named (`spec:`), as
    # editors (yaml-language-server) do: the same line:col in the editor and in CI.
    if validator_name == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        yield Diagnostic(
            where.of(path, key=True),
            f"{_dotted(path)} is missing required field '{missing}'",
            json_path=path,
            hint=schema.get("properties", {}).get(missing, {}).get("description"),
        )
        return
    if validator_name in ("oneOf", "anyOf") and _only_required(rule):
        options = [s["required"][0] for s in rule]
        present = [o for o in options if isinstance(instance, dict) and o in instance]
        verb = "takes only one of" if len(present) > 1 else "needs one of"
        yield Diagnostic(
            where.of(path, key=len(present) == 0),
            f"{_dotted(path)} {verb}: {', '.join(options)}",
            json_path=path,
        )
        return
    if validator_name in ("oneOf", "anyOf") and error.context:
        yield from _diagnostics(_best_branch(error), document)
        return
    if validator_name == "allOf" and error.context:
        for sub in error.context:
            yield from _diagnostics(sub, document)
        return
    hint = _hint(error)
    if hint and isinstance(document.kind, str):  # the address this document's name makes
        hint = hint.replace(
            "<kind>/<name>, the kind in lowercase", f"{document.kind.lower()}/<name>"
        )
    yield Diagnostic(where.of(path), _message(error, path), json_path=path, hint=hint)


def _best_branch(error: ValidationError) -> ValidationError:
    """The most telling error among oneOf/anyOf branches: skip branches of the wrong type."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        e
        for errors in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in errors)
        for e in errors
    ]
    from jsonschema.exceptions import best_match

    return best_match(fitting or error.context or [error]) or error


def _message(error: ValidationError, path: JsonPath) -> str:
    name = _dotted(path)
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


def _hint(error: ValidationError) -> str | None:
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


def _only_required(subschemas: Any) -> bool:
    return isinstance(subschemas, list) and all(
        isinstance(s, dict) and set(s) == {"required"} and len(s["required"]) == 1
        for s in subschemas
    )


def _allowed(known: list[str]) -> str | None:
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


def _dotted(path: JsonPath) -> str:
    if not path:
        return "document"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text

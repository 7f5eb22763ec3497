"""A schema error as diagnostics: located at the offending key or value (a missing field where
the mapping that lacks it is named), the telling branch of a oneOf or anyOf, and no "needs
one of" when a misspelt field right there is the cause."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from contentctl.model import Diagnostic, Document, JsonPath
from contentctl.validate.schema_messages import allowed, dotted, hint_for, message_for

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def without_consequences(found: list[Diagnostic]) -> list[Diagnostic]:
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


def diagnostics(error: ValidationError, document: Document) -> Iterable[Diagnostic]:
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
            hint = f"did you mean '{close[0]}'?" if close else allowed(known)
            yield Diagnostic(
                where.of((*path, key), key=True),
                f"unknown field '{key}' in {dotted(path)}",
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
            f"{dotted(path)} is missing required field '{missing}'",
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
            f"{dotted(path)} {verb}: {', '.join(options)}",
            json_path=path,
        )
        return
    if validator_name in ("oneOf", "anyOf") and error.context:
        yield from diagnostics(_best_branch(error), document)
        return
    if validator_name == "allOf" and error.context:
        for sub in error.context:
            yield from diagnostics(sub, document)
        return
    hint = hint_for(error)
    if hint and isinstance(document.kind, str):  # the address this document's name makes
        hint = hint.replace(
            "<kind>/<name>, the kind in lowercase", f"{document.kind.lower()}/<name>"
        )
    yield Diagnostic(where.of(path), message_for(error, path), json_path=path, hint=hint)


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


def _only_required(subschemas: Any) -> bool:
    return isinstance(subschemas, list) and all(
        isinstance(s, dict) and set(s) == {"required"} and len(s["required"]) == 1
        for s in subschemas
    )

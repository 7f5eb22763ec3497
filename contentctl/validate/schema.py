"""JSON Schema validation that reports ``file:line:col`` and says how to fix it: the
validators of the schemas shipped with the package (schema_files), and a document checked
against one (a first look by fast_schema; its errors made diagnostics by schema_errors, in
the words of schema_messages)."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from contentctl.model import Diagnostic, Document
from contentctl.validate.fast_schema import known_valid
from contentctl.validate.schema_errors import diagnostics, without_consequences
from contentctl.validate.schema_files import load_schema, schema_names

# jsonschema is imported when a document is actually checked and found invalid: a plan whose
# manifests are all known valid (validate/cache.py, fast_schema.py) never pays for it.
if TYPE_CHECKING:
    import jsonschema
    import referencing

PROJECT_SCHEMA = "project.schema.json"
CAMPAIGN_SCHEMA = "campaign.schema.json"


@functools.cache
def _registry() -> referencing.Registry[Any]:
    import referencing
    from referencing.jsonschema import DRAFT202012

    # The schemas have no $id: a $ref such as "common.schema.json#/$defs/metadata" resolves
    # against the file's own location, so any tool given a plain path finds its neighbours.
    resources = [(name, DRAFT202012.create_resource(load_schema(name))) for name in schema_names()]
    return referencing.Registry().with_resources(resources)


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
    if known_valid(document.data, schema_file):
        return []
    found: list[Diagnostic] = []
    for error in validator(schema_file).iter_errors(document.data):
        found.extend(diagnostics(error, document))
    return without_consequences(found)

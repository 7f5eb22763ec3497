"""A first look at a document with jsonschema-rs, which says only whether it is valid.

jsonschema (the Python library) stays the judge: it alone reports problems, in its terms and
at their place. jsonschema-rs, compiled, answers "valid or not" about a hundred times faster.
A document it finds valid needs no other look. One it finds invalid, or that holds anything
but plain JSON values, is checked again by jsonschema, whose verdict is the one reported:
jsonschema-rs reads a tuple as an array, where jsonschema refuses it, and an integer past
2**53 may become an inexact float. Both read Draft 2020-12 with ``pattern`` in ECMA-262
terms (``$`` is the end of the text: schema.py makes jsonschema read it so), and neither
asserts ``format``. Where jsonschema-rs is not installed (a platform it has no wheel for),
jsonschema checks every document.

tests/unit/validate/test_fast_schema.py holds the two to the same verdict, on every example
and on seeded random edits of them.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

from contentctl.validate.schema_files import load_schema, schema_names

if TYPE_CHECKING:
    import jsonschema_rs

# The schemas refer to each other by file name, resolved against the referring file's own
# address: any hierarchical base works, as every file is in the registry and nothing is
# fetched (offline). .invalid is a name that never resolves (RFC 2606).
BASE = "https://schemas.contentctl.invalid/"

_SCALARS = (str, bool, type(None))
EXACT = 2**53  # beyond it, an integer read as a float may change


def known_valid(data: Any, filename: str) -> bool:
    """True: ``data`` is valid against schema ``filename``; False: ask jsonschema."""
    validator = _validator(filename)
    if validator is None or not _plain_json(data):
        return False
    try:
        return validator.is_valid(data)
    except (ValueError, TypeError, OverflowError, RecursionError):
        return False


def _plain_json(data: Any) -> bool:
    """Only objects with text keys, arrays, text, finite numbers (integers that a float holds
    exactly), booleans and null."""
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is dict:
            if any(type(key) is not str for key in value):
                return False
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
        elif kind is float:
            if not math.isfinite(value):
                return False
        elif kind is int:
            if not -EXACT <= value <= EXACT:
                return False
        elif kind not in _SCALARS:
            return False
    return True


@functools.cache
def _validator(filename: str) -> jsonschema_rs.Validator | None:
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.Draft202012Validator(
            load_schema(filename),
            registry=_registry(),
            base_uri=BASE + filename,
            validate_formats=False,
            offline=True,
        )
    except (ValueError, jsonschema_rs.ReferencingError):
        return None  # a schema it cannot build: jsonschema checks every document


@functools.cache
def _registry() -> jsonschema_rs.Registry:
    import jsonschema_rs

    return jsonschema_rs.Registry([(BASE + name, load_schema(name)) for name in schema_names()])

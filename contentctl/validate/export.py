"""Self-contained copies of the schemas, for editors and other validators.

The schemas in schemas/ reference each other by relative path (common.schema.json) and have
no ``$id``, so they resolve from wherever they are read. An exported schema has every
definition it needs inside its own ``$defs`` (nothing to fetch) and carries its published
``$id``; ``manifest.schema.json`` validates any kind by its ``kind`` field: one schema for
every document of every manifest file, which an editor associates with a glob (editors.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contentctl.kinds import KIND_SCHEMAS
from contentctl.validate.schema import CAMPAIGN_SCHEMA
from contentctl.validate.schema_files import load_schema, schema_dir

MANIFEST_KINDS = {
    kind: filename.removesuffix(".schema.json")
    for kind, filename in {**KIND_SCHEMAS, "Campaign": CAMPAIGN_SCHEMA}.items()
}
ID_BASE = "https://contentctl.dev/schemas/v1/"


def _rewrite(value: Any, prefix: str) -> Any:
    """Point every $ref of schema ``prefix`` at the shared $defs of a bundle."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                if item.startswith("#/$defs/"):
                    item = f"#/$defs/{prefix}.{item[len('#/$defs/') :]}"
                elif "#/$defs/" in item:
                    source, _, name = item.partition("#/$defs/")
                    item = f"#/$defs/{source.removesuffix('.schema.json')}.{name}"
            out[key] = _rewrite(item, prefix)
        return out
    if isinstance(value, list):
        return [_rewrite(v, prefix) for v in value]
    return value


def _definitions(name: str) -> dict[str, Any]:
    """A schema's body and its own definitions, under bundle-wide names."""
    schema = load_schema(f"{name}.schema.json")
    body = {k: v for k, v in schema.items() if k not in ("$schema", "$id", "$defs")}
    defs = {f"{name}.{k}": _rewrite(v, name) for k, v in schema.get("$defs", {}).items()}
    return {name: _rewrite(body, name), **defs}


def _common() -> dict[str, Any]:
    return {k: v for k, v in _definitions("common").items() if k != "common"}


def bundle(name: str) -> dict[str, Any]:
    """``<name>.schema.json`` with everything it references inside it."""
    original = load_schema(f"{name}.schema.json")
    defs = {**_common(), **_definitions(name)}
    return {
        "$schema": original["$schema"],
        "$id": ID_BASE + f"{name}.schema.json",
        "title": original.get("title"),
        "description": original.get("description"),
        "$ref": f"#/$defs/{name}",
        "$defs": defs,
    }


def manifest_bundle() -> dict[str, Any]:
    """One schema for any manifest document, dispatching on ``kind``."""
    defs = _common()
    for name in MANIFEST_KINDS.values():
        defs.update(_definitions(name))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ID_BASE + "manifest.schema.json",
        "title": "contentctl manifest",
        "description": "Any contentctl manifest document: " + ", ".join(MANIFEST_KINDS) + ".",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": list(MANIFEST_KINDS)}},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{name}"},
            }
            for kind, name in MANIFEST_KINDS.items()
        ],
        "$defs": defs,
    }


def export(directory: Path) -> list[Path]:
    """Write every schema, bundled, plus manifest.schema.json; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    names = [p.name.removesuffix(".schema.json") for p in sorted(schema_dir().glob("*.json"))]
    for name in names:
        if name == "common":
            continue
        written.append(_write(directory / f"{name}.schema.json", bundle(name)))
    written.append(_write(directory / "manifest.schema.json", manifest_bundle()))
    return written


def _write(path: Path, schema: dict[str, Any]) -> Path:
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path

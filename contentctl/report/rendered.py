"""Rendered manifests for reviewers: YAML (with where each came from) or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from contentctl.model import Resource


def as_yaml(resources: Sequence[Resource]) -> str:
    parts = []
    for resource in resources:
        origin = resource.document.positions.origin
        header = f"# {resource.address}: {resource.source_file}" + (
            f" ({origin})" if origin else ""
        )
        body = yaml.safe_dump(
            resource.document.data, sort_keys=False, allow_unicode=True, width=100
        )
        parts.append(f"---\n{header}\n{body}")
    return "".join(parts)


def as_json(resources: Sequence[Resource]) -> str:
    return (
        json.dumps(
            [
                {
                    "address": r.address,
                    "source": r.source_file,
                    "origin": r.document.positions.origin,
                    "manifest": r.document.data,
                }
                for r in resources
            ],
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


FORMATS: dict[str, Callable[[Sequence[Resource]], str]] = {"yaml": as_yaml, "json": as_json}

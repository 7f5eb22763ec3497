"""Template variables and their precedence, lowest first:

1. ``spec.vars`` in contentctl.yaml
2. ``spec.var_files`` in contentctl.yaml, in order
3. the environment overlay: ``--env prod`` reads ``vars/prod.yaml``
4. ``--var NAME=VALUE`` and ``--var-file FILE`` on the command line, in the order given

Values given with ``--var`` are strings (use ``| int`` in a template for a number).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contentctl.config import Project
from contentctl.errors import Location
from contentctl.load.parse import parse_documents
from contentctl.model import Diagnostic


@dataclass(frozen=True)
class Overrides:
    """What the command line says about variables."""

    env: str | None = None
    items: Sequence[tuple[str, str]] = field(default_factory=tuple)  # ("var", "k=v") / ("file", p)


def resolve(
    project: Project, overrides: Overrides | None = None
) -> tuple[dict[str, Any], list[Diagnostic]]:
    overrides = overrides or Overrides()
    values: dict[str, Any] = dict(project.vars)
    problems: list[Diagnostic] = []
    for name in project.var_files:
        problems.extend(_merge_file(project, name, values, "listed in contentctl.yaml var_files"))
    if overrides.env:
        problems.extend(
            _merge_file(
                project,
                f"vars/{overrides.env}.yaml",
                values,
                f"--env {overrides.env} reads vars/{overrides.env}.yaml",
            )
        )
    for kind, item in overrides.items:
        if kind == "file":
            problems.extend(_merge_file(project, item, values))
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            problems.append(Diagnostic(Location("--var"), f"--var {item!r} is not NAME=VALUE"))
            continue
        values[key.strip()] = value
    return values, problems


def _merge_file(
    project: Project, name: str, values: dict[str, Any], why: str | None = None
) -> list[Diagnostic]:
    path = (project.root / name).resolve()
    where = Location(name)
    if not path.is_relative_to(project.root.resolve()):
        return [Diagnostic(where, f"variable file {name} is outside the project")]
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [
            Diagnostic(
                where,
                f"variable file {name} does not exist",
                hint=why,
            )
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return [Diagnostic(where, f"cannot read variable file {name}: {exc}")]
    documents, problems = parse_documents(text, name)
    if problems:
        return problems
    if len(documents) != 1 or not isinstance(documents[0].data, Mapping):
        return [Diagnostic(Location(name, 1, 1), "a variable file must be one YAML mapping")]
    values.update(documents[0].data)
    return []

"""An undefined name in a template, said where it is written, with the names there are."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from contentctl.errors import Location
from contentctl.model import Diagnostic

UNDEFINED_NAME = re.compile(r"^'(?P<name>[^']+)' is undefined$")
NO_ATTRIBUTE = re.compile(r"has no (?:attribute|element) '(?P<name>[^']+)'$")
# Where project variables are defined, for a name no campaign defines.
PROJECT_VARIABLES = "contentctl.yaml (spec.vars), a var file, or with --var NAME=VALUE"


def undefined(
    message: str,
    where: Location,
    source: str | None,
    variables: Mapping[str, Any],
    origins: Mapping[str, str],
) -> Diagnostic:
    """An undefined name or attribute: at its column, with the names there are instead."""
    line = (source or "").splitlines()[where.line - 1] if source and where.line else ""
    top = UNDEFINED_NAME.match(message)
    attribute = NO_ATTRIBUTE.search(message)
    if top:
        name = top["name"]
        at = re.search(rf"(?<![\w.]){re.escape(name)}\b", line)
        known = [k for k in variables if isinstance(k, str) and k != "vars"]
        close = difflib.get_close_matches(name, known, n=1)
        # The campaign whose variables these are ("spec.matrix of campaign/x in FILE").
        places = sorted({f"spec.vars of {o.split(' of ', 1)[1]}" for o in origins.values()})
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else "define it in " + ", ".join([*places, PROJECT_VARIABLES])
        )
        return Diagnostic(
            _column(where, at), f"undefined variable: {name!r} is undefined", hint=hint
        )
    if attribute:
        name = attribute["name"]
        at = re.search(
            rf"(?P<owner>[A-Za-z_][\w.]*)\s*(?:\.\s*(?P<dot>{re.escape(name)})\b"
            rf"|\[\s*(?P<quote>['\"]){re.escape(name)}(?P=quote)\s*\])",
            line,
        )
        owner = at["owner"] if at else None
        value = _lookup(variables, owner) if owner else None
        if at is None or owner is None or not isinstance(value, Mapping):
            return Diagnostic(
                _column(where, at), f"undefined variable: {message}", hint=f"check {name!r}"
            )
        keys = sorted(str(k) for k in value)
        close = difflib.get_close_matches(name, keys, n=1)
        origin = origins.get(owner.split(".")[0], PROJECT_VARIABLES.replace("with ", ""))
        has = f"{owner} (from {origin}) has: {', '.join(keys) or 'nothing'}"
        hint = f"did you mean '{owner}.{close[0]}'? {has}" if close else has
        start = at.start("dot") if at["dot"] else at.end("quote")
        return Diagnostic(
            replace(where, col=start + 1) if where.line else where,
            f"undefined variable: {owner} has no {name!r}",
            hint=hint,
        )
    return Diagnostic(
        where, f"undefined variable: {message}", hint=f"define it in {PROJECT_VARIABLES}"
    )


def _column(where: Location, found: re.Match[str] | None) -> Location:
    return replace(where, col=found.start() + 1) if found and where.line else where


def _lookup(variables: Mapping[str, Any], dotted: str) -> Any:
    value: Any = variables
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value

"""Resources, the references between them, and the order to create them in."""

from __future__ import annotations

import functools
import graphlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from contentctl.kinds import REFERENCE_FIELDS
from contentctl.model import Diagnostic, JsonPath, Reference, Resource


def references_in(kind: str, spec: Mapping[str, Any]) -> tuple[Reference, ...]:
    """Every address written in a reference field of ``spec``, with its JSON path.

    A field holds one address or a list of them; ``*`` in a field path stands for every
    item of a list (``items.*.media``).
    """
    found: list[Reference] = []
    for field_path, _kinds in REFERENCE_FIELDS.get(kind, ()):
        for path, value in _walk(spec, field_path, ("spec",)):
            if isinstance(value, str):
                found.append(Reference(value, path))
            elif isinstance(value, list):
                found.extend(
                    Reference(item, (*path, i))
                    for i, item in enumerate(value)
                    if isinstance(item, str)
                )
    return tuple(found)


def _walk(value: Any, field_path: JsonPath, at: JsonPath) -> Iterable[tuple[JsonPath, Any]]:
    if not field_path:
        yield at, value
        return
    head, rest = field_path[0], field_path[1:]
    if head == "*":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _walk(item, rest, (*at, i))
    elif isinstance(value, Mapping) and head in value:
        yield from _walk(value[head], rest, (*at, head))


def allowed_kinds(kind: str, path: JsonPath) -> frozenset[str]:
    for field_path, kinds in REFERENCE_FIELDS.get(kind, ()):
        probe = path[1 : 1 + len(field_path)]
        if len(probe) == len(field_path) and all(
            f == p or (f == "*" and isinstance(p, int))
            for f, p in zip(field_path, probe, strict=True)
        ):
            return kinds
    return frozenset()


@dataclass(frozen=True)
class Graph:
    """Resources by address, and the order in which they can be created."""

    resources: Mapping[str, Resource]
    order: tuple[str, ...]

    def dependencies(self, address: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.address for r in self.resources[address].references))

    def dependents(self, address: str) -> tuple[str, ...]:
        return self._dependents.get(address, ())

    @functools.cached_property
    def _dependents(self) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for address in self.order:
            for dependency in self.dependencies(address):
                index.setdefault(dependency, []).append(address)
        return {a: tuple(d) for a, d in index.items()}

    def closure(self, addresses: Iterable[str], *, downstream: bool) -> set[str]:
        """``addresses`` with everything they depend on (or, downstream, that depends on them)."""
        follow = self.dependents if downstream else self.dependencies
        found = set(addresses)
        frontier = list(found)
        while frontier:
            for neighbour in follow(frontier.pop()):
                if neighbour not in found:
                    found.add(neighbour)
                    frontier.append(neighbour)
        return found


def build_graph(
    resources: Iterable[Resource], checked: Collection[str] | None = None
) -> tuple[Graph, list[Diagnostic]]:
    """Check references and order the resources; cycles and dangling references are errors.

    Resources not in ``checked`` (all are, when None) failed their schema, which has reported
    what is wrong with them: of their references, only those to resources that do not exist
    are reported here, so that a typo elsewhere in a document hides nothing.
    """
    by_address = {r.address: r for r in resources}
    diagnostics: list[Diagnostic] = []
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for resource in by_address.values():
        sorter.add(resource.address)
        unchecked = checked is not None and resource.address not in checked
        for ref in resource.references:
            problem = _reference_problem(resource, ref, by_address)
            if problem is None:
                sorter.add(resource.address, ref.address)
            elif not unchecked or _missing(resource, ref, by_address):
                # What the schema refused, it has reported; a missing target it cannot see.
                diagnostics.append(problem)
    try:
        order = tuple(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle: list[str] = exc.args[1]
        first = by_address[cycle[0]]
        diagnostics.append(
            Diagnostic(
                first.document.positions.of(("metadata", "name")),
                f"reference cycle: {' -> '.join(cycle)}",
                hint="a resource cannot depend on itself, even indirectly",
            )
        )
        order = tuple(by_address)
    return Graph(by_address, order), diagnostics


def _missing(resource: Resource, ref: Reference, by_address: Mapping[str, Resource]) -> bool:
    """A reference of a kind allowed here to a resource nobody defines."""
    allowed = ref.address.split("/", 1)[0] in allowed_kinds(resource.kind, ref.path)
    return allowed and ref.address not in by_address


def _reference_problem(
    resource: Resource, ref: Reference, by_address: Mapping[str, Resource]
) -> Diagnostic | None:
    """What is wrong with one reference: a kind it may not point at, or a missing target."""
    target_kind = ref.address.split("/", 1)[0]
    allowed = allowed_kinds(resource.kind, ref.path)
    location = resource.document.positions.of(ref.path)
    if target_kind not in allowed:
        return Diagnostic(
            location,
            f"{ref.address} cannot be used here: expected a reference to "
            f"{' or '.join(sorted(allowed))}",
            json_path=ref.path,
        )
    if ref.address in by_address:
        return None
    close = [a for a in by_address if a.split("/")[0] == target_kind]
    hint = (
        f"known {target_kind} resources: {', '.join(sorted(close)[:8])}"
        if close
        else f"define a {target_kind.capitalize()} manifest named '{ref.address.split('/', 1)[1]}'"
    )
    return Diagnostic(
        location, f"reference to {ref.address}, which is not defined", json_path=ref.path, hint=hint
    )

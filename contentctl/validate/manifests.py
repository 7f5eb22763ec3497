"""Validate a whole project: every manifest, every reference, every problem in one run."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from contentctl.config import Project
from contentctl.graph import Graph, references_in
from contentctl.kinds import KINDS
from contentctl.load.campaign import expand
from contentctl.load.discover import load_documents
from contentctl.load.documents import DocumentStore
from contentctl.load.render import make_environment
from contentctl.load.variables import Overrides, resolve
from contentctl.model import Diagnostic, Document, Resource
from contentctl.validate.cache import ValidCache, checked
from contentctl.validate.check_cache import CheckCache
from contentctl.validate.schema import CAMPAIGN_SCHEMA

CAMPAIGN = "Campaign"


@dataclass(frozen=True)
class Manifests:
    """The project's resources, ordered, with every problem found on the way."""

    graph: Graph
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")


def check_project(project: Project, overrides: Overrides | None = None) -> Manifests:
    """Load, render, parse and validate every manifest; collect all problems in one run."""
    cache = ValidCache(project.state_dir / "cache" / "valid-manifests.json")
    variables, diagnostics = resolve(project, overrides)
    store = DocumentStore(project, variables)
    documents, problems = load_documents(project, variables, store)
    diagnostics.extend(problems)
    documents, problems = expand_campaigns(project, documents, variables, cache, store)
    diagnostics.extend(problems)
    # A value the parser already refused (a bad tag, say) also fails the schema: say it once.
    parse_problems = {(d.location.file, d.location.line, d.location.col) for d in diagnostics}
    resources: dict[str, Resource] = {}
    schema_valid: set[str] = set()
    for document in documents:
        resource, problems = _resource(document, cache)
        problems = [
            d
            for d in problems
            if (d.location.file, d.location.line, d.location.col) not in parse_problems
        ]
        diagnostics.extend(problems)
        if resource is None:
            continue
        first = resources.get(resource.address)
        if first is not None:
            where = first.document.positions.of(("metadata", "name"))
            diagnostics.append(
                Diagnostic(
                    document.positions.of(("metadata", "name")),
                    f"duplicate resource {resource.address} (first defined at {where})",
                    hint="names must be unique per kind; rename one of them",
                )
            )
            continue
        resources[resource.address] = resource
        if not problems and not document.refused:
            schema_valid.add(resource.address)
    checks = CheckCache(project.root, project.state_dir)
    graph, problems = checks.graph(resources.values(), schema_valid)
    # A reference the schema already refused (a malformed address) is reported once.
    reported = {(d.location.file, d.location.line, d.location.col) for d in diagnostics}
    diagnostics.extend(
        d for d in problems if (d.location.file, d.location.line, d.location.col) not in reported
    )
    for address in graph.order:
        if address in schema_valid:
            diagnostics.extend(checks.check(graph.resources[address], graph.resources))
    cache.save()
    store.save()
    checks.save()
    return Manifests(graph, tuple(sorted(diagnostics, key=Diagnostic.sort_key)))


def expand_campaigns(
    project: Project,
    documents: list[Document],
    variables: dict[str, Any],
    cache: ValidCache,
    store: DocumentStore | None = None,
) -> tuple[list[Document], list[Diagnostic]]:
    """Replace each Campaign document by the documents of its instances (each carrying the
    templates its render loaded, in ``sources``); with a ``store``, a campaign whose inputs
    are unchanged is not rendered again."""
    out: list[Document] = []
    problems: list[Diagnostic] = []
    env = None
    for document in documents:
        if document.kind != CAMPAIGN:
            out.append(document)
            continue
        invalid = checked(document, CAMPAIGN_SCHEMA, cache)
        problems.extend(invalid)
        if invalid:
            continue
        found = store.campaign(document) if store is not None else None
        if found is not None:
            out.extend(found)
            continue
        env = env or make_environment(project.root, project.template_dirs)
        env.requested.clear()
        placed: list[tuple[str, int]] = []
        before = store.folder(document) if store is not None else None
        expanded, failed = expand(project.root, env, document, variables, placed)
        if store is not None and not failed:
            expanded = store.keep_campaign(document, expanded, placed, env, before)
        out.extend(expanded)
        problems.extend(failed)
    return out, problems


def _resource(document: Document, cache: ValidCache) -> tuple[Resource | None, list[Diagnostic]]:
    where = document.positions
    if not isinstance(document.data, dict):
        return None, [
            Diagnostic(
                where.of(()),
                "a manifest must be a mapping with apiVersion, kind, metadata and spec",
            )
        ]
    kind = document.kind
    if kind is None:
        return None, [
            Diagnostic(
                where.of(()),
                "document has no kind",
                hint=f"add kind: one of {', '.join(KINDS)}",
            )
        ]
    if kind not in KINDS:
        kinds = [*KINDS, CAMPAIGN]
        close = difflib.get_close_matches(kind, kinds, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"kinds: {', '.join(kinds)}"
        return None, [Diagnostic(where.of(("kind",)), f"unknown kind {kind!r}", hint=hint)]
    problems = checked(document, KINDS[kind].schema, cache)
    name = document.name
    spec = document.data.get("spec")
    if name is None or not isinstance(spec, dict):
        return None, problems
    meta = document.data.get("metadata") or {}
    labels = meta.get("labels") if isinstance(meta, dict) else None
    labels = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
    return Resource(
        kind=kind,
        name=name,
        spec=spec,
        document=document,
        labels=labels,
        references=references_in(kind, spec),
    ), problems

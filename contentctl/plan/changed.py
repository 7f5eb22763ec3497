"""Which resources files changed: the manifests, templates, variables and assets behind them.

``plan --changed-since REF`` plans only these (and what depends on them), so a large
repository's pull request plans what its diff touches.
"""

from __future__ import annotations

from collections.abc import Collection

from contentctl.config import CONFIG_FILE, Project
from contentctl.graph import Graph
from contentctl.kinds import KINDS
from contentctl.lockfile.records import Lockfile


def affected(
    project: Project, graph: Graph, lock: Lockfile, changed: Collection[str]
) -> set[str] | None:
    """Addresses whose inputs are in ``changed``, plus their dependents; None means all
    (contentctl.yaml changed: moves, prices and providers reach everything)."""
    changed = set(changed)
    if CONFIG_FILE in changed:
        return None
    variables = any(f.startswith("vars/") or f in project.var_files for f in changed)
    out: set[str] = set()
    for address, resource in graph.resources.items():
        document = resource.document
        sources = set(document.sources or (document.file,))
        if (
            changed & sources
            or (variables and document.templated)
            or any(
                asset.is_relative_to(project.root.resolve())
                and asset.relative_to(project.root.resolve()).as_posix() in changed
                for asset in (
                    p.resolve() for p in KINDS[resource.kind].files(resource, project.root)
                )
            )
        ):
            out.add(address)
    out = graph.closure(out, downstream=True)
    out |= {
        a
        for a, r in lock.resources.items()
        if a not in graph.resources and r.source.get("file") in changed
    }
    return out

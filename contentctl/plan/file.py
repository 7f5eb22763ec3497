"""Plans as data: the versioned JSON of ``plan --format json`` and of saved plans (``-out``).

A saved plan is bound to the lockfile it was made against (lineage, serial, and whether it
existed at all, so a plan made before the first apply cannot be applied twice) and to a
digest of every rendered manifest. ``apply FILE`` re-plans with the saved options and runs
only if everything still matches: what the reviewer approved is exactly what runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from contentctl import __version__
from contentctl.errors import ContentctlError, StalePlanError
from contentctl.graph import Graph
from contentctl.lockfile.durable import write_atomic
from contentctl.lockfile.records import Lockfile
from contentctl.plan.diff import Plan, PlanOptions
from contentctl.plan.steps import digest

FORMAT_VERSION = "1"


def manifest_digests(graph: Graph) -> dict[str, str]:
    return {a: "sha256:" + digest(r.document.data) for a, r in sorted(graph.resources.items())}


def to_json(plan: Plan, graph: Graph, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The plan as versioned JSON (schemas/plan.schema.json)."""
    return {
        "format_version": FORMAT_VERSION,
        "contentctl_version": __version__,
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lockfile": {
            "exists": plan.lockfile_exists,
            "lineage": plan.lineage,
            "serial": plan.serial,
        },
        "options": {**asdict(plan.options), "variables": dict(variables or {})},
        "manifests": manifest_digests(graph),
        "summary": {
            "counts": plan.counts(),
            "credits": plan.credits,
            "has_changes": plan.has_changes,
            "publishes": [c.address for c in plan.publishes],
            "blocked": [c.address for c in plan.blocked],
            "missing_artifacts": list(plan.missing_artifacts),
        },
        "elsewhere": [_change(c) for c in plan.elsewhere],
        "changes": [_change(c) for c in plan.changes if c.action != "no-op" or c.moved_from],
        "held": [
            {"address": h.address, "steps": list(h.steps), "why": h.why, "message": h.message}
            for h in plan.held
        ],
    }


def _change(change: Any) -> dict[str, Any]:
    data = {
        "address": change.address,
        "kind": change.kind,
        "action": change.action,
        "source": change.source_file,
        "credits": change.credits,
        "steps": [
            {
                "name": s.name,
                "action": s.action,
                "why": s.why.value,
                "reason": s.reason,
                "credits": s.credits,
                "paid": s.paid,
                "input_hash": s.input_hash,
                "changes": [
                    {"field": f.field, "before": f.before, "after": f.after} for f in s.changes
                ],
            }
            for s in change.running
        ],
    }
    for key in ("blocked", "moved_from", "warning"):
        if getattr(change, key):
            data[key] = getattr(change, key)
    return data


def save(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentctlError(f"no saved plan at {path}") from None
    except (OSError, ValueError) as exc:
        raise ContentctlError(f"{path} is not a saved plan: {exc}") from exc
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise ContentctlError(
            f"{path} is not a saved plan of this contentctl version",
            hint="make it again with `contentctl plan -out FILE`",
        )
    return data


def options_of(saved: Mapping[str, Any]) -> PlanOptions:
    options = saved.get("options") or {}
    return PlanOptions(
        allow_republish=bool(options.get("allow_republish")),
        replace=tuple(options.get("replace", ())),
        select=tuple(options.get("select", ())),
        exclude=tuple(options.get("exclude", ())),
        limit_to=None if options.get("limit_to") is None else tuple(options["limit_to"]),
        generate=bool(options.get("generate")),
    )


def check_fresh(
    saved: Mapping[str, Any], lock: Lockfile, graph: Graph, current: Mapping[str, Any]
) -> None:
    """Refuse a saved plan that would not do exactly what it says."""
    hint = "make a new plan with `contentctl plan -out FILE`, review it, and apply that"
    bound = saved["lockfile"]
    if bound["exists"] != lock.exists or (
        lock.exists and (bound["lineage"] != lock.lineage or bound["serial"] != lock.serial)
    ):
        was = f"serial {bound['serial']}" if bound["exists"] else "no lockfile"
        now = f"serial {lock.serial}" if lock.exists else "no lockfile"
        raise StalePlanError(
            f"saved plan is stale: contentctl.lock changed since it was made "
            f"({was} then, {now} now)",
            hint=hint,
        )
    if lock.exists and bound["lineage"] != lock.lineage:  # pragma: no cover - covered above
        raise StalePlanError("saved plan is for another lockfile (lineage differs)", hint=hint)
    before, after = saved["manifests"], manifest_digests(graph)
    if before != after:
        changed = sorted(a for a in set(before) | set(after) if before.get(a) != after.get(a))
        raise StalePlanError(
            f"saved plan is stale: manifests changed since it was made: "
            f"{', '.join(changed[:10])}{' ...' if len(changed) > 10 else ''}",
            hint=hint,
        )
    if saved["changes"] != current["changes"] or saved.get("held", []) != current["held"]:
        raise StalePlanError(
            "saved plan is stale: planning again gives a different result", hint=hint
        )

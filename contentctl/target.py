"""What a lockfile's records were made against, and refusing to mix them up.

Records made against the sandbox mean nothing to the real APIs, and records of one
PowerPost workspace mean nothing to another: trusting them would skip (or "resume") work
that was never done for real. A lockfile therefore records its target: ``{"sandbox":
true}``, or per provider the base URL and, for PowerPost, a one-way fingerprint of the
workspace id (never the id itself). An apply compares it with where it is about to send
requests, before sending any.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from typing import Any

from contentctl import secrets
from contentctl.config import Project
from contentctl.errors import ContentctlError
from contentctl.lockfile.records import Lockfile

SANDBOX: Mapping[str, Any] = {"sandbox": True}


class TargetMismatchError(ContentctlError):
    """The lockfile's records were made against something other than this apply's APIs."""


def fingerprint(provider: str, identity: str) -> str:
    """A one-way, short fingerprint: tells two workspaces apart, reveals neither."""
    digest = hashlib.sha256(f"contentctl-target:{provider}:{identity}".encode()).hexdigest()
    return "fp:" + digest[:16]


def current(
    project: Project, environ: Mapping[str, str], providers: Collection[str], *, sandbox: bool
) -> dict[str, Any]:
    """Where an apply that uses ``providers`` sends its requests."""
    if sandbox:
        return dict(SANDBOX)
    found: dict[str, Any] = {}
    for name in sorted(providers):
        entry: dict[str, str] = {"base_url": project.provider(name).base_url}
        if name == "powerpost" and environ.get(secrets.POWERPOST_WORKSPACE_ID):
            entry["account"] = fingerprint(name, environ[secrets.POWERPOST_WORKSPACE_ID])
        found[name] = entry
    return found


def check(lock: Lockfile, target: Mapping[str, Any]) -> dict[str, Any]:
    """Refuse records made elsewhere; returns the target to record (``target`` merged in)."""
    sandbox = bool(target.get("sandbox"))
    recorded = lock.target
    if recorded is None:
        if lock.resources and not sandbox:
            raise TargetMismatchError(
                "contentctl.lock does not say what its records were made against (an earlier "
                "contentctl wrote it), so this apply cannot trust them",
                hint="if they were made with --sandbox, start clean: `git rm contentctl.lock` "
                "(or delete it) and apply again; if they are this workspace's real resources, "
                "record that with `contentctl lock retarget`",
            )
        return dict(target)
    if recorded.get("sandbox") and not sandbox:
        raise TargetMismatchError(
            "contentctl.lock records sandbox resources (made with --sandbox): they do not "
            "exist in the real APIs, and nothing is sent while it would trust them",
            hint="start clean: `git rm contentctl.lock` (or delete it), then apply again; "
            "the next apply creates everything for real",
        )
    if sandbox and not recorded.get("sandbox"):
        raise TargetMismatchError(
            "contentctl.lock records real resources; a --sandbox apply would overwrite them "
            "with the sandbox's",
            hint="try the sandbox in a copy of the project without contentctl.lock",
        )
    if sandbox:
        return dict(SANDBOX)
    for name, entry in target.items():
        before = recorded.get(name)
        if before is None:
            continue
        if before.get("base_url") != entry.get("base_url"):
            raise TargetMismatchError(
                f"contentctl.lock records {name} resources made at {before.get('base_url')}; "
                f"this apply would send them to {entry.get('base_url')}",
                hint="check the base URL (contentctl.yaml spec.providers, or "
                f"{name.upper()}_BASE_URL); if it is the same account at a new address, "
                "record that with `contentctl lock retarget`",
            )
        if before.get("account") and entry.get("account") != before.get("account"):
            raise TargetMismatchError(
                f"contentctl.lock records resources of another {name} workspace than "
                f"{secrets.POWERPOST_WORKSPACE_ID} names",
                hint=f"set {secrets.POWERPOST_WORKSPACE_ID} to the workspace these resources "
                "were created in; to start over in this one, remove contentctl.lock",
            )
    return {k: v for k, v in {**recorded, **target}.items() if k != "sandbox"}


def describe(found: Mapping[str, Any]) -> str:
    if found.get("sandbox"):
        return "the sandbox"
    return ", ".join(f"{name} at {entry['base_url']}" for name, entry in sorted(found.items()))


def combine(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any] | None:
    """One target for the records of both, or None when they were made against different
    APIs: the sandbox and a real API, or one provider at two addresses or workspaces."""
    if bool(a.get("sandbox")) != bool(b.get("sandbox")):
        return None
    if a.get("sandbox"):
        return dict(SANDBOX)
    if any(a[name] != b[name] for name in set(a) & set(b)):
        return None
    return {**a, **b}

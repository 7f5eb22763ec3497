"""The records of ``contentctl.lock`` and their JSON: a step's, a resource's, the file's.

They never hold secrets: only ids, hashes and what the APIs generated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

FORMAT_VERSION = "1.0"
StepStatus = Literal["submitting", "pending", "completed", "failed"]
STEP_STATUSES = ("submitting", "pending", "completed", "failed")


@dataclass(frozen=True)
class StepRecord:
    """One step of one resource: what was sent (as hashes) and what came back."""

    input_hash: str
    status: StepStatus
    inputs: Mapping[str, Any] = field(default_factory=dict)  # what was sent, per spec field
    remote_id: str | None = None
    outputs: Mapping[str, Any] = field(default_factory=dict)
    credits_used: float | None = None
    submitted_at: str | None = None
    completed_at: str | None = None
    error: str | None = None
    request_ref: str | None = None  # what identifies a submission we may have to reconcile

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"input_hash": self.input_hash, "status": self.status}
        for name in (
            "remote_id",
            "credits_used",
            "submitted_at",
            "completed_at",
            "error",
            "request_ref",
        ):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.inputs:
            data["inputs"] = dict(self.inputs)
        if self.outputs:
            data["outputs"] = self.outputs
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepRecord:
        status = data.get("status")
        if status not in STEP_STATUSES or not isinstance(data.get("input_hash"), str):
            raise ValueError(f"bad step record {data!r}")
        return cls(
            input_hash=data["input_hash"],
            status=status,
            inputs=data.get("inputs", {}),
            remote_id=data.get("remote_id"),
            outputs=data.get("outputs", {}),
            credits_used=data.get("credits_used"),
            submitted_at=data.get("submitted_at"),
            completed_at=data.get("completed_at"),
            error=data.get("error"),
            request_ref=data.get("request_ref"),
        )


@dataclass(frozen=True)
class ResourceRecord:
    kind: str
    provider: str
    source: Mapping[str, str] = field(default_factory=dict)
    steps: Mapping[str, StepRecord] = field(default_factory=dict)
    prevent_destroy: bool = False  # remembered: it matters once the manifest is gone
    # Remote objects that exist but are no longer this resource's current records (a draft
    # an update replaced, the losing side of a merge conflict): kept so that no remote id is
    # ever lost. Each is {"step", "reason", "record"}.
    orphans: tuple[Mapping[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "provider": self.provider,
            "source": dict(self.source),
            "steps": {name: step.to_json() for name, step in self.steps.items()},
        }
        if self.prevent_destroy:
            data["prevent_destroy"] = True
        if self.orphans:
            data["orphans"] = [dict(o) for o in self.orphans]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourceRecord:
        return cls(
            kind=data["kind"],
            provider=data["provider"],
            source=data.get("source", {}),
            steps={n: StepRecord.from_json(s) for n, s in data.get("steps", {}).items()},
            prevent_destroy=bool(data.get("prevent_destroy", False)),
            orphans=tuple(data.get("orphans", ())),
        )

    def with_step(self, name: str, record: StepRecord) -> ResourceRecord:
        return replace(self, steps={**self.steps, name: record})


@dataclass(frozen=True)
class Lockfile:
    lineage: str
    serial: int
    resources: Mapping[str, ResourceRecord] = field(default_factory=dict)
    exists: bool = True  # False for the empty lockfile of a project never applied
    # What the records were made against: {"sandbox": true}, or per provider its base URL
    # and a one-way fingerprint of the workspace (see contentctl.target). None: not recorded.
    target: Mapping[str, Any] | None = None
    # A digest of the bytes it was read from (file and journal): see read.fingerprint.
    source: str | None = field(default=None, compare=False)

    @classmethod
    def empty(cls) -> Lockfile:
        return cls(lineage="", serial=0, exists=False)

    def step(self, address: str, name: str) -> StepRecord | None:
        record = self.resources.get(address)
        return record.steps.get(name) if record else None

    def to_json(self) -> dict[str, Any]:
        data = {
            "format_version": FORMAT_VERSION,
            "lineage": self.lineage,
            "serial": self.serial,
            "resources": {a: r.to_json() for a, r in sorted(self.resources.items())},
        }
        if self.target is not None:
            data["target"] = dict(self.target)
        return data

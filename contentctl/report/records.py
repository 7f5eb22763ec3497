"""What the lockfile records, as text (`contentctl show`): each resource's steps, remote ids,
credits and outputs, and the remote objects it keeps as orphans."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from contentctl.report.text import credits_text

if TYPE_CHECKING:
    from contentctl.lockfile.records import Lockfile, ResourceRecord


def outputs(lock: Lockfile, addresses: Sequence[str] | None = None) -> str:
    chosen = addresses if addresses is not None else sorted(lock.resources)
    blocks = [_resource(a, lock.resources[a]) for a in chosen if a in lock.resources]
    return "\n\n".join(blocks) if blocks else "The lockfile records no resources."


def _resource(address: str, record: ResourceRecord) -> str:
    lines = [
        f"{address}  ({record.kind}, {record.provider}, from {record.source.get('file', '?')})"
    ]
    for name, step in record.steps.items():
        status = step.status + (f", id {step.remote_id}" if step.remote_id else "")
        if step.credits_used:
            status += f", {credits_text(step.credits_used)}"
        lines.append(f"  {name}: {status}")
        if step.error:
            lines.append(f"    error: {step.error}")
        lines.extend(_outputs(record.kind, name, step.outputs))
        lines.extend(f"    warning: {w}" for w in step.outputs.get("warnings", []))
    if record.orphans:
        lines.append("  orphans (remote objects no longer current, kept so no id is lost):")
    for orphan in record.orphans:
        kept = orphan.get("record") or {}
        remote_id = f", id {kept['remote_id']}" if "remote_id" in kept else ""
        lines.append(f"    {orphan.get('step', '?')}: {kept.get('status', '?')}{remote_id}")
        if orphan.get("reason"):
            lines.append(f"      reason: {orphan['reason']}")
    return "\n".join(lines)


def _outputs(kind: str, step: str, outputs: Mapping[str, Any]) -> list[str]:
    if not outputs:
        return []
    if step == "captions":
        lines = []
        for platform, text in outputs.items():
            if isinstance(text, Mapping):
                text = f"{text.get('title')} — {text.get('description')}"
            body = str(text).replace("\n", "\n" + " " * 8)
            lines.append(f"    {platform}: {body}")
        return lines
    if step == "images":
        return [f"    image {i.get('media_id')}  {i.get('url')}" for i in outputs.get("images", [])]
    if step == "download":
        return [
            f"    file {f.get('path')}  ({f.get('bytes')} bytes)" for f in outputs.get("files", [])
        ]
    if step == "render":
        return [f"    design {outputs.get('design_id')}  {outputs.get('name')!r}"]
    if step == "upload":
        return [f"    media {outputs.get('media_id')}  {outputs.get('file_name')}"]
    if step == "post":
        types = ", ".join(i.get("post_type", "?") for i in outputs.get("items", []))
        return [f"    post {outputs.get('post_id')} ({outputs.get('status')}): {types}"]
    if step == "publish":
        return [
            f"    {i.get('post_type')}: {i.get('status')} {i.get('platform_post_id', '')}".rstrip()
            for i in outputs.get("items", [])
        ]
    return []

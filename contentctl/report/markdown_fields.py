"""A resource's field changes as the lines of a diff, for the plan comment: every field of
what it creates, else what changed; schedule times shown in the manifest's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contentctl.report import field_diff

if TYPE_CHECKING:
    from contentctl.plan.diff import ResourceChange


def field_lines(change: ResourceChange) -> list[str]:
    """The diff lines of a resource: every field of what it creates, else what changed.

    A field several steps send (post_types) is shown once."""
    show = _show_times_in(change.time_zone)
    seen: set[str] = set()
    out: list[field_diff.Line] = []
    for step in change.running:
        if change.action == "create":
            fields = {k: v for k, v in step.inputs.items() if k not in seen}
            out += field_diff.created(fields, show)
            seen.update(fields)
            continue
        for field in step.changes:
            if field.field not in seen:
                seen.add(field.field)
                out += field_diff.changed(field.field, field.before, field.after, show)
    return [f"{marker} {line}" for marker, line in out]


def _show_times_in(zone_name: str | None) -> Callable[[str, Any], Any] | None:
    """Schedule times are sent in UTC; reviewers read them in the manifest's time zone."""
    if not zone_name:
        return None
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return None

    def show(name: str, value: Any) -> Any:
        if name != "at" or not isinstance(value, str):
            return value
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if moment.tzinfo is None:
            return value
        local = moment.astimezone(zone)
        clock = "%H:%M:%S" if local.second else "%H:%M"
        return (
            f"{local.strftime('%Y-%m-%d ' + clock)} {zone_name} "
            f"({moment.astimezone(ZoneInfo('UTC')).strftime(clock)} UTC)"
        )

    return show

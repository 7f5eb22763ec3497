"""The plan comment when not even its table fits: the changed resources named by action and
kind, as many as fit, the rest counted exactly."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from contentctl.report.markdown_safe import fenced

if TYPE_CHECKING:
    from contentctl.plan.diff import ResourceChange

# Most consequential first: when names must be left out, these are named before creates.
ORDER = ("delete", "replace", "update", "forget", "no-op", "create")
LABEL = {"no-op": "move"}


def names_by_kind(changed: Sequence[ResourceChange], room: int) -> str:
    """Changed resources by action and kind, as many names as fit in ``room`` characters; the
    rest counted."""
    groups: dict[tuple[str, str], list[str]] = {}
    for change in changed:
        kind, _, name = change.address.partition("/")
        groups.setdefault((change.action, kind), []).append(name)
    intro = (
        "\nThis plan is too large for one comment, so it lists the changed resources by "
        "name; `contentctl plan --diff` shows the steps and field changes.\n"
    )
    parts = [intro]
    used = len(intro)
    left_out = 0
    for action in ORDER:
        for (act, kind), names in sorted(groups.items()):
            if act != action:
                continue
            label = f"{LABEL.get(action, action)} {kind}/… ({len(names):,})"
            overhead = len(label) + 80
            fitting = list(_fitting(sorted(names), room - used - overhead))
            left_out += len(names) - len(fitting)
            if not fitting:
                block = f"\n{label}: none named here\n"
            else:
                if len(fitting) < len(names):
                    label += f", {len(fitting):,} named here"
                names_block = "\n".join(fenced(fitting, "text"))
                block = f"\n<details><summary>{label}</summary>\n\n{names_block}\n\n</details>\n"
            parts.append(block)
            used += len(block)
    total = len(changed)
    if left_out:
        parts.append(
            f"\n**{left_out:,} of {total:,} changed resources are not named here** (GitHub "
            "limits a comment to 65,535 characters): `contentctl plan` lists them all.\n"
        )
    else:
        parts.append(f"\nAll {total:,} changed resources are named above.\n")
    return "".join(parts)


def _fitting(names: Sequence[str], room: int) -> Iterator[str]:
    used = 8  # the fence lines
    for name in names:
        used += len(name) + 1
        if used > room:
            return
        yield name

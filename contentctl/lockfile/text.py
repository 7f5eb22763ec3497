"""The text of ``contentctl.lock``: deterministic JSON (sorted keys, 2-space indent, trailing
newline) so that git diffs stay small, and that text parsed back into records."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from contentctl.errors import LockfileError
from contentctl.lockfile.records import FORMAT_VERSION, Lockfile, ResourceRecord

# What git leaves in a file it could not merge.
CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})(?![<=>])", re.MULTILINE)


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def parse(text: str, name: str = "contentctl.lock") -> Lockfile:
    """A lockfile from its text; ``name`` is what errors call it."""
    try:
        data = json.loads(text)
        if data.get("format_version") != FORMAT_VERSION:
            raise LockfileError(
                f"{name} has format_version {data.get('format_version')!r}; "
                f"this contentctl reads {FORMAT_VERSION}",
                hint="upgrade contentctl",
            )
        resources = {a: ResourceRecord.from_json(r) for a, r in data["resources"].items()}
        target = data.get("target")
        if target is not None and not isinstance(target, dict):
            raise ValueError("target must be an object")
        return Lockfile(
            lineage=data["lineage"], serial=int(data["serial"]), resources=resources, target=target
        )
    except LockfileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if CONFLICT_MARKER.search(text):
            raise LockfileError(
                f"{name} has unresolved merge conflicts",
                hint="run `contentctl lock resolve` to merge its records (nothing is lost), "
                "and `contentctl lock install-driver` so that git merges it next time",
            ) from None
        raise LockfileError(
            f"{name} is not a valid lockfile: {exc}",
            hint="restore it from git (git checkout -- contentctl.lock)",
        ) from exc


class Encoder:
    """Exactly ``dumps(lock.to_json())``, in pieces, re-encoding only the records that changed
    since the last lockfile it encoded: a step costs the same to write in a lockfile of ten
    resources or ten thousand."""

    def __init__(self) -> None:
        # JSON of each record as last encoded, with the record it was encoded from.
        self._texts: dict[str, tuple[ResourceRecord, str]] = {}

    def chunks(self, lock: Lockfile) -> Iterator[str]:
        """The text in pieces, to be written as they come (a large lockfile is not held a
        second time as one string, and a third as its bytes)."""
        head = {"format_version": FORMAT_VERSION, "lineage": lock.lineage}
        yield (
            f'{{\n  "format_version": {json.dumps(head["format_version"])},\n'
            f'  "lineage": {json.dumps(head["lineage"])},\n  "resources": '
        )
        separator = "{\n"
        for address in sorted(lock.resources):
            record = lock.resources[address]
            cached = self._texts.get(address)
            if cached is None or cached[0] is not record:
                text = json.dumps(
                    record.to_json(), indent=2, sort_keys=True, ensure_ascii=False
                ).replace("\n", "\n    ")
                cached = self._texts[address] = (record, text)
            yield f"{separator}    {json.dumps(address, ensure_ascii=False)}: {cached[1]}"
            separator = ",\n"
        if len(self._texts) > len(lock.resources):
            for address in set(self._texts) - set(lock.resources):
                del self._texts[address]
        target = ""
        if lock.target is not None:
            encoded = json.dumps(dict(lock.target), indent=2, sort_keys=True, ensure_ascii=False)
            target = f',\n  "target": {encoded.replace(chr(10), chr(10) + "  ")}'
        body_end = "\n  }" if lock.resources else "{}"
        yield f'{body_end},\n  "serial": {lock.serial}{target}\n}}\n'

    def text(self, lock: Lockfile) -> str:
        return "".join(self.chunks(lock))

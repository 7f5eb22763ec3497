"""Each resource is a short chain of steps, one per API call that creates something; each
kind's module in contentctl/kinds/ builds its chain.

A step's input hash covers exactly the spec fields it sends plus the identities of the
upstream results it consumes, so a change re-runs that step and what depends on it,
and nothing upstream.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contentctl.lockfile.records import StepRecord

# json.dumps of a str with ensure_ascii=False.
_string = json.encoder.encode_basestring

# The hash recorded for an object adopted by `import` whose manifest must be sent to it once:
# no input hashes to it.
IMPORTED_HASH = "sha256:" + "0" * 64
# The hash recorded over a completed step when `apply --replace` starts on its resource, and
# replaced by the step's new record once it has run again: an interrupted replace leaves it,
# so the next apply regenerates that step too instead of keeping the old result.
REPLACING_HASH = "sha256:" + "f" * 64


@dataclass(frozen=True)
class Upstream:
    """A result a step consumes: step ``step`` of resource ``address``."""

    address: str
    step: str

    @property
    def key(self) -> str:
        return f"{self.address}#{self.step}"


@dataclass(frozen=True)
class StepSpec:
    """What one step sends (``fields``, keyed by spec path) and which results it needs."""

    name: str
    provider: str
    paid: bool
    fields: Mapping[str, Any]
    upstream: tuple[Upstream, ...] = ()
    publishes: bool = False  # running it puts content in front of the public
    in_place: bool = False  # re-running updates the same remote object (same id)
    # Re-running it makes a new remote object and the API cannot delete the one it had made
    # (a PowerPost draft): what that one is called, to say it is left behind.
    leaves_behind: str | None = None


def canonical(value: Any) -> str:
    if type(value) is str:  # what json.dumps does with one, without its overhead
        return _string(value)
    if type(value) is list and all(type(v) is str for v in value):
        return "[" + ",".join(map(_string, value)) + "]"
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def identity(record: StepRecord) -> str:
    """What downstream steps hash of an upstream result: its remote id, else its outputs."""
    return record.remote_id or "sha256:" + digest(record.outputs)


def input_hash(spec: StepSpec, upstream: Mapping[str, StepRecord]) -> str:
    # Upstream results count by identity, in the order they are sent, never by address:
    # renaming a resource (a moved: block) must not change what its steps hash to.
    identities = [identity(upstream[u.key]) for u in spec.upstream]
    return hash_of(spec.name, canonical(spec.fields), identities)


def hash_of(name: str, fields: str, identities: list[str]) -> str:
    """The input hash of step ``name`` that sends ``fields`` (their canonical text) and the
    upstream results ``identities``: the digest of {"step", "fields", "upstream"}, its text
    put together from the fields' own rather than written again."""
    text = f'{{"fields":{fields},"step":{canonical(name)},"upstream":{canonical(identities)}}}'
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

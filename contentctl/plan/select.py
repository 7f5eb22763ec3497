"""--select and --exclude: which resources a plan covers.

A pattern is an address glob (``post/launch.*``) or a label (``locale=fr``). Repeated
``--select`` patterns narrow like a query: labels of different keys must all match, while
values of one key are alternatives, and so are address globs (they count as one more key):
``--select locale=fr --select locale=de --select 'post/*'`` is French or German posts.
``--exclude`` leaves out whatever matches any of its patterns. A pattern that matches no
resource is a user error, never silently an empty or a full plan.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Collection, Iterable, Mapping, Sequence

from contentctl.errors import UsageError
from contentctl.graph import Graph
from contentctl.lockfile.records import Lockfile
from contentctl.plan.changes import PlanOptions

SHOWN = 8  # label keys, values of one key, or addresses a hint lists
VALUES = 3  # values per label key when a hint lists every key

Labelled = Mapping[str, Mapping[str, str]]  # address -> its labels


def matches(pattern: str, address: str, labels: Mapping[str, str]) -> bool:
    """One pattern against one resource."""
    key, sep, value = pattern.partition("=")
    if sep:
        return labels.get(key) == value
    return fnmatch.fnmatchcase(address, pattern)


def selected(address: str, labels: Mapping[str, str], patterns: Sequence[str]) -> bool:
    """--select: AND across label keys (address globs are one more key), OR within one."""
    groups: dict[str | None, list[str]] = {}
    for pattern in patterns:
        key, sep, _value = pattern.partition("=")
        groups.setdefault(key if sep else None, []).append(pattern)
    return all(any(matches(p, address, labels) for p in group) for group in groups.values())


def excluded(address: str, labels: Mapping[str, str], patterns: Sequence[str]) -> bool:
    """--exclude: any pattern matching leaves the resource out."""
    return any(matches(p, address, labels) for p in patterns)


def check(
    resources: Labelled, gone: Collection[str], select: Sequence[str], exclude: Sequence[str]
) -> None:
    """Refuse patterns that match nothing: resources of the manifests, or records whose
    manifest is ``gone`` (matched by address only: the lockfile keeps no labels)."""
    everything: dict[str, Mapping[str, str]] = {**{a: {} for a in gone}, **resources}
    for flag, patterns in (("--select", select), ("--exclude", exclude)):
        for pattern in patterns:
            if not any(matches(pattern, a, labels) for a, labels in everything.items()):
                raise UsageError(
                    f"{flag} {pattern} matches no resource", hint=_hint(pattern, everything)
                )
    if select and not any(selected(a, labels, select) for a, labels in everything.items()):
        given = " ".join(f"--select {p}" for p in select)
        raise UsageError(
            f"{given}: each matches some resource, but no resource matches them all",
            hint="labels of different keys must all match (and address globs count as one "
            "more key); values of one key are alternatives. Drop one, or use `contentctl "
            "render` to see each resource's labels",
        )


def _hint(pattern: str, resources: Labelled) -> str:
    key, sep, value = pattern.partition("=")
    if not sep:
        addresses = sorted(resources)
        close = difflib.get_close_matches(pattern, addresses, n=1)
        shown = _some(addresses)
        return (f"did you mean {close[0]}? " if close else "") + (
            f"addresses here: {shown}; a glob matches whole addresses (post/launch.*)"
            if shown
            else "there are no resources"
        )
    pairs = sorted({f"{k}={v}" for labels in resources.values() for k, v in labels.items()})
    values = [p.partition("=")[2] for p in pairs if p.startswith(key + "=")]
    if values:  # the key is right: only a value close to the one written is a suggestion
        close = [f"{key}={v}" for v in difflib.get_close_matches(value, values, n=1)]
        found = f"{key} is one of: {_some(values)}"
    else:
        close = difflib.get_close_matches(pattern, pairs, n=1)
        found = (
            f"labels here: {_by_key(pairs)}"
            if pairs
            else "no resource has labels; select by address glob instead (post/*)"
        )
    return (f"did you mean {close[0]}? " if close else "") + found


def _by_key(pairs: Sequence[str]) -> str:
    """``locale=en|fr, product=gadgets|gizmos|widgets``: every key, a few values each."""
    values: dict[str, list[str]] = {}
    for pair in pairs:
        key, _sep, value = pair.partition("=")
        values.setdefault(key, []).append(value)
    shown = [
        f"{key}={'|'.join(found[:VALUES])}"
        + (f"|… ({len(found)} values)" if len(found) > VALUES else "")
        for key, found in sorted(values.items())
    ]
    return _some(shown)


def _some(items: Iterable[str]) -> str:
    listed = list(items)
    more = len(listed) - SHOWN
    return ", ".join(listed[:SHOWN]) + (f" (and {more} more)" if more > 0 else "")


def chosen(graph: Graph, lock: Lockfile, options: PlanOptions) -> set[str]:
    """Addresses in this plan: --select (with what they depend on), minus --exclude."""
    resources = graph.resources
    labels = {a: r.labels for a, r in resources.items()}
    gone = [a for a in lock.resources if a not in resources]
    check(labels, gone, options.select, options.exclude)
    if options.select:
        found = graph.closure(
            (a for a in resources if selected(a, labels[a], options.select)),
            downstream=False,
        )
    else:
        found = set(resources)
    if options.exclude:
        found -= {a for a in resources if excluded(a, labels[a], options.exclude)}
    if options.limit_to is not None:
        found &= set(options.limit_to)
    return found

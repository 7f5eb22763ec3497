"""What a kind of resource is, declared in one record: where its requests go, its schema,
the chain of steps that create it, what each step costs and which runner does it.

Each kind is one module of this package that builds a ``Kind``; the registry in
``contentctl/kinds/__init__.py`` names them. The stages (plan, apply, import, drift) ask the
registry, never test a kind's name.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from contentctl.config import Prices
from contentctl.errors import ApiError
from contentctl.model import Diagnostic, JsonPath, Resource
from contentctl.plan.steps import StepSpec
from contentctl.validate.schema_files import load_schema

if TYPE_CHECKING:
    from contentctl.apply.runners import Runner
    from contentctl.lockfile.records import ResourceRecord, StepRecord
    from contentctl.providers import Providers

StepsBuilder = Callable[[Resource, Path], tuple[StepSpec, ...]]
Estimator = Callable[[StepSpec, Resource, Prices], float]
# The runners are loaded when a step runs: validating and planning never import the
# request code (nor httpx).
RunnersLoader = Callable[[], Mapping[str, "Runner"]]
# The checks a schema cannot express; ``others`` (by address) for those across resources.
Checker = Callable[[Path, Resource, "Mapping[str, Resource] | None"], Iterator[Diagnostic]]
# Where a kind's spec refers to other resources ("*": every item of a list), and the kinds
# each may point at.
References = tuple[tuple[JsonPath, frozenset[str]], ...]
# import: what the API says of an object, as its owning step's outputs; raises if missing.
Reader = Callable[["Providers", str], Awaitable[dict[str, Any]]]
# import of an object updated in place: where the object as the API holds it differs from
# what the manifest would send it (the body), in the manifest's words.
Differ = Callable[[Mapping[str, Any], Mapping[str, Any]], list[str]]
# drift: what the API says now that the record does not, as messages about its address.
DriftFinder = Callable[[str, "ResourceRecord", "Providers"], AsyncIterator[str]]
# plan: why a time in the spec would be refused by the API if sent now, or None.
TooLate = Callable[[Resource, datetime], "str | None"]
# Under this key, a Reader of an object updated in place also answers the object whole.
RAW = "__remote__"


@runtime_checkable
class Deletes(Protocol):
    async def delete(self, providers: Providers, remote_id: str) -> bool:
        """Delete the object; True when it was already gone."""
        ...


def free(step: StepSpec, resource: Resource, prices: Prices) -> float:
    """The estimate of a kind none of whose steps costs credits."""
    return 0


def no_checks(
    root: Path, resource: Resource, others: Mapping[str, Resource] | None
) -> Iterator[Diagnostic]:
    """The checks of a kind its schema says everything about."""
    return iter(())


@dataclass(frozen=True)
class Content:
    """What reviewers read and see of one resource, as data: the pull request comment and
    the HTML preview format it. From its records once applied, else from its manifest."""

    captions: Mapping[str, Any] = field(default_factory=dict)  # by platform
    # A post's platforms and their post types: one card each, with its caption and pictures.
    platforms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    images: tuple[Mapping[str, Any], ...] = ()  # generated images: media_id, url
    uses: tuple[str, ...] = ()  # other resources whose pictures or slides it shows
    slides: tuple[str, ...] = ()  # its rendered slides, at the provider's URLs
    files: tuple[Mapping[str, Any], ...] = ()  # its output files downloaded into the project
    drafts: tuple[Mapping[str, Any], ...] = ()  # its slides as written, before a render
    pictures: tuple[Path, ...] = ()  # local files it shows when another resource uses it
    editor_url: str | None = None
    # When and where it goes out: status, at (as sent, else as written), time_zone,
    # carousel, accounts.
    schedule: Mapping[str, Any] | None = None
    standalone: bool = True  # shown on its own, not only where another resource uses it


# What reviewers see of a resource: its manifest's spec, its record (None before any apply),
# and the project's root.
Shower = Callable[[Resource, "ResourceRecord | None", Path], Content]


@dataclass(frozen=True)
class Kind:
    name: str  # as manifests write it: `kind: Post`
    schema: str  # its file in schemas/
    provider: str  # the API its objects live in
    # The step whose remote id is the resource's identity (import, outputs, drift).
    owning_step: str
    # The chain of steps, in order, each with the fields it sends and the results it needs.
    steps: StepsBuilder
    # By step name, one for each step the chain can hold.
    runners: RunnersLoader
    read: Reader  # import: the object as its owning step's outputs
    references: References = ()
    estimate: Estimator = free  # credits a step is expected to cost when it runs
    check: Checker = no_checks
    # For kinds the API can delete when their manifest goes away: the step whose remote id
    # is the object to delete (its runner deletes it). Other kinds are forgotten when their
    # manifest goes away; the remote object stays.
    deleted_through: str | None = None
    # When a Post uses one of these as media: the step whose result it sends.
    media_step: str | None = None
    differs: Differ | None = None
    too_late: TooLate | None = None
    content: Shower | None = None  # None: nothing of it is shown to reviewers
    # The local files it sends (beside its manifest): a change to one changes the resource.
    files: Callable[[Resource, Path], list[Path]] = lambda resource, root: []
    # The zone the manifest writes its times in, to show them so.
    time_zone: Callable[[Mapping[str, Any]], Any] = lambda spec: None
    drift: DriftFinder | None = None

    @property
    def prefix(self) -> str:
        """The first part of its addresses: post/launch."""
        return self.name.lower()

    def runner(self, step: str) -> Runner:
        return self.runners()[step]

    async def delete(self, providers: Providers, remote_id: str) -> bool:
        """Delete the remote object; True when it was already gone."""
        if self.deleted_through is None:
            raise TypeError(f"{self.name} objects are forgotten, not deleted")
        runner = self.runner(self.deleted_through)
        assert isinstance(runner, Deletes), f"{self.name}: its runner cannot delete"
        return await runner.delete(providers, remote_id)


async def in_place_drift(
    address: str,
    owner: StepRecord | None,
    compare: Callable[[StepRecord], AsyncIterator[str]],
) -> AsyncIterator[str]:
    """Drift of an object updated in place: ``compare`` says where it differs from what was
    last sent; an object gone from its API is said once, with how to create it again."""
    if owner is None or owner.status != "completed" or not owner.remote_id:
        return
    try:
        async for found in compare(owner):
            yield found
    except ApiError as exc:
        if exc.status != 404:
            raise
        yield (
            f"{owner.remote_id} no longer exists in {exc.provider}; "
            f"apply --replace {address} creates it again"
        )


@functools.cache
def schema_defaults(schema: str, path: tuple[str, ...], keys: tuple[str, ...]) -> dict[str, Any]:
    """The defaults the schema documents for ``keys`` of the object at ``path`` in a kind's
    spec: what a step sends when the manifest leaves them out. A key without one is a bug."""
    node = load_schema(schema)["properties"]["spec"]
    for name in path:
        node = node["properties"][name]
    properties = node["properties"]
    missing = [k for k in keys if "default" not in properties.get(k, {})]
    if missing:
        raise KeyError(f"{schema} documents no default for {', '.join(missing)}")
    return {k: properties[k]["default"] for k in keys}


def completed_outputs(record: ResourceRecord | None, step: str) -> dict[str, Any]:
    """What a step of ``record`` made, once it completed; nothing before."""
    found = record.steps.get(step) if record else None
    if found is None or found.status != "completed":
        return {}
    return dict(found.outputs or {})


def differs_in(sent: Mapping[str, str]) -> Differ:
    """A Differ for an object whose body keys (``sent``: API key -> manifest name) are
    compared one by one."""

    def differs(body: Mapping[str, Any], remote: Mapping[str, Any]) -> list[str]:
        return [name for key, name in sent.items() if remote.get(key) != body.get(key)]

    return differs


def present(
    mapping: Mapping[str, Any],
    prefix: str,
    keys: tuple[str, ...],
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The keys of ``mapping`` a step sends, keyed by spec path, with documented defaults."""
    defaults = defaults or {}
    return {
        (f"{prefix}.{k}" if prefix else k): mapping.get(k, defaults.get(k))
        for k in keys
        if k in mapping or k in defaults
    }

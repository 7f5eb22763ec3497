"""Campaigns: one template folder rendered once per instance into ordinary manifests.

A resource named ``announce`` in the template becomes ``<campaign>.<instance>.announce``;
references between resources of the same template follow the rename, so each instance
is self-contained, while references to resources outside the template stay as written.
Each resource is labelled with its instance's variables (``locale=fr``), so ``--select``
finds an instance without the template writing labels by hand.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from contentctl.kinds import REFERENCE_FIELDS
from contentctl.load.filters import slugify
from contentctl.load.parse import parse_documents
from contentctl.load.render import loaded_templates, render_template
from contentctl.model import Diagnostic, Document, Positions, address_of

# What the schema allows in metadata.labels (common.schema.json).
LABEL_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
LABEL_VALUE_LENGTH = 200


def instances(spec: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, variables) of every instance: the matrix's combinations, then listed ones."""
    matrix: Mapping[str, list[Any]] = spec.get("matrix") or {}
    keys = list(matrix)
    # Without a matrix there are no combinations (product() of nothing would yield one).
    for combination in itertools.product(*(matrix[k] for k in keys)) if keys else ():
        names = [str(v["name"]) if isinstance(v, Mapping) else slugify(v) for v in combination]
        yield "-".join(names), dict(zip(keys, combination, strict=True))
    for item in spec.get("instances") or []:
        yield str(item["name"]), dict(item.get("vars") or {})


def instance_labels(variables: Mapping[str, Any]) -> dict[str, str]:
    """Labels from an instance's variables: scalars as text, a mapping by its ``name`` (as
    the instance's name is made). Lists, and what no label could hold, are left out."""
    labels: dict[str, str] = {}
    for key, value in variables.items():
        if isinstance(value, Mapping):
            value = value.get("name")
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            text = str(value)
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            continue
        if LABEL_KEY.fullmatch(key) and len(text) <= LABEL_VALUE_LENGTH:
            labels[key] = text
    return labels


def template_files(root: Path, template: str) -> list[Path]:
    """The template's manifests; files whose name starts with ``_`` are partials."""
    folder = root / "templates" / template
    return sorted(p for p in folder.rglob("*.yaml.j2") if not p.name.startswith("_"))


def expand(
    root: Path,
    env: SandboxedEnvironment,
    campaign: Document,
    variables: Mapping[str, Any],
    placed: list[tuple[str, int]] | None = None,
) -> tuple[list[Document], list[Diagnostic]]:
    """Render a (schema-valid) Campaign document into the documents of all its instances;
    ``placed`` gets each document's instance and place among that instance's documents."""
    spec = campaign.data["spec"]
    name = campaign.data["metadata"]["name"]
    at = campaign.positions.of(("spec", "template"))
    folder = (root / "templates" / spec["template"]).resolve()
    if not folder.is_relative_to((root / "templates").resolve()) or not folder.is_dir():
        return [], [
            Diagnostic(
                at,
                f"campaign template folder templates/{spec['template']} does not exist",
                hint="create it with *.yaml.j2 files",
            )
        ]
    files = template_files(root, spec["template"])
    if not files:
        return [], [Diagnostic(at, f"templates/{spec['template']} has no *.yaml.j2 files")]
    documents: list[Document] = []
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    origins = variable_origins(spec, f"campaign/{name}", campaign.file)
    for instance, own in instances(spec):
        if instance in seen:
            problems.append(
                Diagnostic(
                    campaign.positions.of(("spec",)),
                    f"campaign {name} has two instances named {instance!r}",
                    hint="instance names come from matrix values' names",
                )
            )
            continue
        seen[instance] = instance
        context = _context(variables, spec, own, name, instance)
        rendered = _render_instance(
            root, env, files, context, f"campaign/{name} {instance}", campaign.file, origins
        )
        problems.extend(rendered[1])
        named = list(
            _namespaced(rendered[0], f"{name}.{instance}", name, instance, instance_labels(own))
        )
        documents.extend(named)
        if placed is not None:
            placed.extend((instance, i) for i in range(len(named)))
    return documents, once(problems, f"campaign/{name}", len(seen))


def _context(
    variables: Mapping[str, Any],
    spec: Mapping[str, Any],
    own: Mapping[str, Any],
    name: str,
    instance: str,
) -> dict[str, Any]:
    context = {**variables, **(spec.get("vars") or {}), **own}
    context["campaign"] = {"name": name, "instance": instance}
    return context


def instance_documents(
    root: Path,
    env: SandboxedEnvironment,
    campaign: Document,
    variables: Mapping[str, Any],
    instance: str,
) -> list[Document]:
    """The documents of one instance of a (schema-valid) campaign as its render makes them,
    before they are renamed: where their values are written (see load/documents.py)."""
    spec = campaign.data["spec"]
    name = campaign.data["metadata"]["name"]
    for found, own in instances(spec):
        if found == instance:
            context = _context(variables, spec, own, name, instance)
            origins = variable_origins(spec, f"campaign/{name}", campaign.file)
            files = template_files(root, spec["template"])
            origin = f"campaign/{name} {instance}"
            return _render_instance(root, env, files, context, origin, campaign.file, origins)[0]
    return []


def variable_origins(spec: Mapping[str, Any], campaign: str, file: str) -> dict[str, str]:
    """Where each of a campaign's own variables is written."""
    origins = {k: f"spec.vars of {campaign} in {file}" for k in spec.get("vars") or {}}
    for item in spec.get("instances") or []:
        for key in item.get("vars") or {}:
            origins[key] = f"spec.instances of {campaign} in {file}"
    origins.update({k: f"spec.matrix of {campaign} in {file}" for k in spec.get("matrix") or {}})
    return origins


def once(problems: list[Diagnostic], campaign: str, count: int) -> list[Diagnostic]:
    """A template's problem is one problem, however many instances meet it: said once, with
    the instances it happened in."""
    found: dict[tuple[Any, ...], list[Diagnostic]] = {}
    for d in problems:
        key = (d.location.file, d.location.line, d.location.col, d.message, d.hint, d.severity)
        found.setdefault(key, []).append(d)
    out = []
    for same in found.values():
        if len(same) == 1:
            out.append(same[0])
            continue
        names = [str(d.location.origin).rsplit(" ", 1)[-1] for d in same]
        which = (
            f"all {count} instances of {campaign}"
            if len(same) == count
            else f"{campaign} {', '.join(names)}"
        )
        out.append(replace(same[0], location=replace(same[0].location, origin=which)))
    return out


def _render_instance(
    root: Path,
    env: SandboxedEnvironment,
    files: list[Path],
    context: Mapping[str, Any],
    origin: str,
    campaign_file: str,
    origins: Mapping[str, str],
) -> tuple[list[Document], list[Diagnostic]]:
    documents: list[Document] = []
    problems: list[Diagnostic] = []
    for path in files:
        file = path.relative_to(root).as_posix()
        text, failed = render_template(
            env, path.read_text(encoding="utf-8"), file, {"vars": context, **context}, origins
        )
        problems.extend(replace(d, location=replace(d.location, origin=origin)) for d in failed)
        if text is None:
            continue
        sources = (campaign_file, file, *sorted(loaded_templates(env)))
        docs, failed = parse_documents(text, file)
        problems.extend(replace(d, location=replace(d.location, origin=origin)) for d in failed)
        # Made whole rather than copied field by field (a campaign makes thousands).
        documents.extend(
            Document(
                d.file,
                d.index,
                d.data,
                Positions(d.positions.file, d.positions.values, d.positions.keys, origin),
                sources,
                True,
                d.refused,
            )
            for d in docs
        )
    return documents, problems


def _namespaced(
    documents: list[Document],
    prefix: str,
    campaign: str,
    instance: str,
    labels_of_instance: Mapping[str, str],
) -> Iterator[Document]:
    local = {
        address_of(d.kind, d.name): address_of(d.kind, f"{prefix}.{d.name}")
        for d in documents
        if d.kind and d.name
    }
    for document in documents:
        data = document.data
        if not (
            isinstance(data, dict) and document.name and isinstance(data.get("metadata"), dict)
        ):
            yield document
            continue
        metadata = {**data["metadata"], "name": f"{prefix}.{document.name}"}
        found = metadata.get("labels")
        labels: dict[str, Any] = found if isinstance(found, dict) else {}
        # Labels the template writes win over the instance's variables; these two, over both.
        metadata["labels"] = {
            **labels_of_instance,
            **labels,
            "campaign": campaign,
            "campaign-instance": instance,
        }
        spec = data.get("spec")
        if isinstance(spec, dict) and document.kind:
            spec = _rewrite_references(document.kind, spec, local)
        yield Document(
            document.file,
            document.index,
            {**data, "metadata": metadata, "spec": spec},
            document.positions,
            document.sources,
            document.templated,
            document.refused,
        )


def _rewrite_references(
    kind: str, spec: dict[str, Any], local: Mapping[str, str]
) -> dict[str, Any]:
    """References to documents of the same template follow their rename (copies, not edits)."""
    out: Any = spec
    for path, _kinds in REFERENCE_FIELDS.get(kind, ()):
        out = _rewrite_at(out, path, local)
    return dict(out)


def _rewrite_at(value: Any, path: tuple[str | int, ...], local: Mapping[str, str]) -> Any:
    if not path:
        if isinstance(value, str):
            return local.get(value, value)
        if isinstance(value, list):
            return [local.get(v, v) if isinstance(v, str) else v for v in value]
        return value
    head, rest = path[0], path[1:]
    if head == "*":
        return [_rewrite_at(v, rest, local) for v in value] if isinstance(value, list) else value
    if isinstance(value, dict) and head in value:
        return {**value, head: _rewrite_at(value[head], rest, local)}
    return value

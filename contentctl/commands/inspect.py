"""Commands that read without changing anything: validate, render, show, output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import (
    App,
    chosen_format,
    json_option,
    pass_app,
    variable_options,
)
from contentctl.errors import ContentctlError

if TYPE_CHECKING:
    from contentctl.config import Project
    from contentctl.lockfile import Lockfile


@click.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github: workflow-command annotations on the pull request's files.",
)
@json_option
@variable_options
@pass_app
@click.pass_context
def validate(ctx: click.Context, app: App, output_format: str) -> None:
    """Check every manifest against the schemas and the project's rules.

    Reports every problem of every file in one run, as file:line:col with a hint, errors
    apart from warnings. Makes no API call and needs no key.

    \b
    Examples:
      contentctl validate
      contentctl validate --format github   # in GitHub Actions
      contentctl validate --env prod --var launch=2026-12-01
    """
    output_format = chosen_format(output_format)
    project = app.project()
    _some_manifests(project)
    if output_format == "text":
        manifests = app.manifests(project)
        count = len(manifests.graph.resources)
        files = len(_manifest_files(project))
        click.echo(
            f"{count} resource{'' if count == 1 else 's'} valid, in {files} "
            f"file{'' if files == 1 else 's'} under {_folders(project)}."
        )
        return
    from contentctl.git.working_tree import folder_in_repository
    from contentctl.report.diagnostics import FORMATS
    from contentctl.validate.manifests import check_project

    found = check_project(project, app.overrides)
    folder = folder_in_repository(project.root) if output_format == "github" else ""
    click.echo(FORMATS[output_format](found.diagnostics, folder), nl=False)
    if found.errors:
        ctx.exit(1)


def _manifest_files(project: Project) -> list[Path]:
    from contentctl.load.discover import manifest_files

    return manifest_files(project)


def _folders(project: Project) -> str:
    return ", ".join(f"{folder.rstrip('/')}/" for folder in project.content_dirs)


def _some_manifests(project: Project) -> None:
    """Validating nothing is not a success: a wrong -C or spec.content says so."""
    if _manifest_files(project):
        return
    from contentctl.load.discover import MANIFEST_SUFFIXES

    suffixes = ", ".join(f"*{s}" for s in MANIFEST_SUFFIXES)
    raise ContentctlError(
        f"no manifests to validate: no {suffixes} file under {_folders(project)} of {project.root}",
        hint="write manifests in content/ (contentctl init writes an example), or name "
        "their folders in contentctl.yaml (spec.content)",
    )


@click.group()
def schema() -> None:
    """The JSON Schemas of manifests, contentctl.yaml, the lockfile and plans.

    \b
    Examples:
      contentctl schema export .contentctl/schemas
    """


@schema.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), required=False)
@pass_app
def schema_export(app: App, directory: Path | None) -> None:
    """Write self-contained copies of every schema to DIRECTORY (default: the project's
    schemas/, where `contentctl init` points editors), with manifest.schema.json for any
    kind (chosen by `kind`). Run it again after upgrading contentctl, and commit the result:
    editors then check manifests exactly as this version's `contentctl validate` does.

    \b
    Examples:
      contentctl schema export
      contentctl schema export /tmp/schemas
    """
    from contentctl.editors import SCHEMAS
    from contentctl.validate.export import export
    from contentctl.validate.schema import schema_dir

    target = directory or app.project_dir / SCHEMAS
    if target.resolve() == schema_dir().resolve():
        raise ContentctlError(
            f"{target} holds the schemas contentctl itself reads",
            hint="they are the sources of the exported copies: export to another folder",
        )
    for path in export(target):
        click.echo(str(path))


@click.command()
@click.argument("addresses", nargs=-1)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
)
@json_option
@variable_options
@pass_app
def render(app: App, addresses: tuple[str, ...], output_format: str) -> None:
    """Print the manifests exactly as plan sees them: Jinja rendered, campaigns expanded.

    What reviewers read when a template changes. ADDRESS selects resources (all by default).

    \b
    Examples:
      contentctl render
      contentctl render post/launch.widgets-fr.announce --json
    """
    from contentctl.report import rendered

    output_format = chosen_format(output_format)
    resources = app.manifests(app.project()).graph.resources
    unknown = [a for a in addresses if a not in resources]
    if unknown:
        raise ContentctlError(
            f"no such resource: {', '.join(unknown)}",
            hint="contentctl render with no address lists them all",
        )
    chosen = [resources[a] for a in (addresses or sorted(resources))]
    click.echo(rendered.FORMATS[output_format](chosen), nl=False)


def _lock(app: App, addresses: tuple[str, ...]) -> Lockfile:
    from contentctl import lockfile

    # project() first: outside a content repository, say so, not "not in the lockfile".
    lock = lockfile.read(app.project().lockfile_path)
    unknown = [a for a in addresses if a not in lock.resources]
    if unknown:
        raise ContentctlError(
            f"not in the lockfile: {', '.join(unknown)}",
            hint="known: " + (", ".join(sorted(lock.resources)) or "nothing yet"),
        )
    return lock


@click.command()
@click.argument("addresses", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="The records as JSON.")
@pass_app
def show(app: App, addresses: tuple[str, ...], as_json: bool) -> None:
    """Show what the lockfile records: steps, remote ids, credits and outputs
    (generated captions in full, images, carousel files). Makes no API call.

    \b
    Examples:
      contentctl show post/dark-mode-launch
      contentctl show --json | jq 'keys'
    """
    from contentctl.report import records

    lock = _lock(app, addresses)
    if as_json:
        chosen = addresses or tuple(sorted(lock.resources))
        click.echo(
            json.dumps(
                {a: lock.resources[a].to_json() for a in chosen},
                indent=2,
                ensure_ascii=False,
                sort_keys=True,
            )
        )
        return
    click.echo(records.outputs(lock, list(addresses) or None))


@click.command()
@click.argument("address")
@click.option("--json", "as_json", is_flag=True, help="Print the outputs as JSON.")
@pass_app
def output(app: App, address: str, as_json: bool) -> None:
    """Print what a resource produced: captions per platform, media ids, post id, files.

    \b
    Example:
      contentctl output post/dark-mode-launch --json | jq -r .captions.instagram
    """
    lock = _lock(app, (address,))
    outputs = {
        name: dict(step.outputs)
        for name, step in lock.resources[address].steps.items()
        if step.status == "completed" and step.outputs
    }
    if as_json:
        click.echo(json.dumps(outputs, indent=2, ensure_ascii=False, sort_keys=True))
        return
    for step, values in outputs.items():
        for key, value in values.items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            click.echo(f"{step}.{key} = {shown}")


@click.group()
def docs() -> None:
    """Reference documentation generated from the schemas and this CLI.

    \b
    Examples:
      contentctl docs generate docs
    """


@docs.command("generate")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default="docs")
def docs_generate(directory: Path) -> None:
    """Write DIRECTORY/manifests.md (from the schemas) and DIRECTORY/cli.md (from the help).

    \b
    Examples:
      contentctl docs generate docs
    """
    from contentctl.report import reference

    root = click.get_current_context().find_root().command  # the contentctl group itself
    assert isinstance(root, click.Group)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (("manifests.md", reference.manifests()), ("cli.md", reference.cli(root))):
        (directory / name).write_text(text, encoding="utf-8")
        click.echo(str(directory / name))


@click.command()
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write index.html (default: out/preview).",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Highlight what changed since git revision REF (a pull request's base), and what "
    "depends on it.",
)
@variable_options
@pass_app
def preview(app: App, out_dir: Path | None, changed_since: str | None) -> None:
    """Write a static HTML page of the content: each post as a card per platform, each
    carousel as its slides, with what apply generated. Open it from a CI artifact: it makes
    no request of its own.

    \b
    Examples:
      contentctl --sandbox preview -o preview && open preview/index.html
      contentctl --sandbox preview --changed-since HEAD -o preview
    """
    import asyncio

    from contentctl import lockfile
    from contentctl.report.preview import page

    project = app.project()
    graph = app.manifests(project).graph
    lock = lockfile.read(project.lockfile_path)
    changed: set[str] = set()
    if changed_since:
        from contentctl.git import revisions
        from contentctl.plan.changed import affected

        touched = affected(
            project, graph, lock, revisions.changed_since(project.root, changed_since)
        )
        changed = set(graph.resources) if touched is None else touched
    images, missing = asyncio.run(_images(app, project, lock))
    target = out_dir or project.root / project.out_dir / "preview"
    target.mkdir(parents=True, exist_ok=True)
    (target / "index.html").write_text(
        page(project.name, graph, lock, project.root, images, missing, changed),
        encoding="utf-8",
    )
    click.echo(str(target / "index.html"))
    if missing:
        reasons = sorted(set(missing.values()))
        count = len(missing)
        click.echo(
            f"warning: {count} generated image{'' if count == 1 else 's'} not in the page "
            f"({'; '.join(reasons)}): "
            + (
                "it shows as a placeholder with its media id"
                if count == 1
                else "they show as placeholders with their media ids"
            ),
            err=True,
        )


SANDBOX_IMAGES = "the lockfile records sandbox images: run `contentctl --sandbox preview`"


async def _images(
    app: App, project: Project, lock: Lockfile
) -> tuple[dict[str, str], dict[str, str]]:
    """Generated images, fetched once with the download limits, as data URIs; and those
    that could not be, with why."""
    from contentctl.errors import ApiError
    from contentctl.providers import download_client, downloads_for
    from contentctl.report.preview import data_uri

    wanted = [
        (i["media_id"], i["url"])
        for r in lock.resources.values()
        if "images" in r.steps
        for i in r.steps["images"].outputs.get("images", [])
        if i.get("url")
    ]
    found: dict[str, str] = {}
    missing: dict[str, str] = {}
    if not wanted:
        return found, missing
    if (lock.target or {}).get("sandbox") and not app.sandbox:
        # Their URLs exist only in the sandbox: asking the network for them is pointless.
        return found, dict.fromkeys((m for m, _url in wanted), SANDBOX_IMAGES)
    async with download_client(app.transport(project)) as client:
        downloads = downloads_for(project, client)
        for media_id, url in wanted:
            try:
                content, mime = await downloads.fetch(url)
            except ApiError as exc:
                # Preview links expire after 7 days: the apply that made them is long past.
                missing[media_id] = f"not downloaded: {exc.message}"
                continue
            found[media_id] = data_uri(content, mime)
    return found, missing

"""Commands that write reference material: the JSON Schemas (`contentctl schema export`)
and the documentation generated from them and from this CLI (`contentctl docs generate`)."""

from __future__ import annotations

from pathlib import Path

import click

from contentctl.commands.context import App, pass_app
from contentctl.errors import ContentctlError


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
    from contentctl.validate.schema_files import schema_dir

    target = directory or app.project_dir / SCHEMAS
    if target.resolve() == schema_dir().resolve():
        raise ContentctlError(
            f"{target} holds the schemas contentctl itself reads",
            hint="they are the sources of the exported copies: export to another folder",
        )
    for path in export(target):
        click.echo(str(path))


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

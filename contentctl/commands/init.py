"""`contentctl init`: a new content repository, ready for pull-request plans and merge applies."""

from __future__ import annotations

from pathlib import Path

import click

from contentctl.commands.terminal import Echo


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Write files even where they already exist.")
@click.option(
    "--multi",
    is_flag=True,
    help="A repository of many projects (projects/NAME, one per brand or PowerPost "
    "workspace) sharing shared/templates, planned and applied as a GitHub Actions matrix.",
)
def init(directory: Path, force: bool, multi: bool) -> None:
    """Create a content repository: contentctl.yaml, an example manifest, .gitignore,
    .gitattributes (git merges contentctl.lock with `contentctl lock merge`), two GitHub
    workflows (plan on pull requests and apply on merge to main; the plan's pull request
    comment, fork-safe, through workflow_run), a third that generates a pull request's
    drafts for review when a maintainer labels it contentctl:generate (the project publishes
    only reviewed content: spec.publishing), and the schemas in schemas/ with
    .vscode/settings.json associating them with every manifest (commit both: editors then
    check every document as `contentctl validate` does). Inside a git repository it
    also configures that merge driver.

    With --multi: a repository of many projects, one job per project (see `contentctl
    projects` and docs/github-actions.md, "Many projects").

    \b
    Examples:
      contentctl init my-content && cd my-content && contentctl --sandbox plan
      contentctl init --multi agency && cd agency && git init -q && contentctl projects
    """
    from contentctl.scaffold import files, write

    console = Echo()
    name = files.repository_name(directory)
    scaffolded = files.files(directory, name, multi=multi)
    associations = files.editor_associations(multi=multi)
    write.write(directory, scaffolded, associations, console, force=force)
    top = write.configure_git(directory, console)
    click.echo(_next(directory, name, multi=multi, in_repository=top is not None), nl=False)


def _next(directory: Path, name: str, *, multi: bool, in_repository: bool) -> str:
    """The commands to run next; outside a repository, with git init and the merge driver."""
    if not multi:
        driver = "\n"
        if not in_repository:
            driver = f"\n      after git init: contentctl -C {directory} lock install-driver\n"
        return f"\nNext: contentctl -C {directory} --sandbox plan{driver}"
    if in_repository:
        return f"\nNext: contentctl -C {directory / 'projects' / name} --sandbox plan\n"
    # The shared library must be inside a repository: git init first.
    return (
        f"\nNext: cd {directory} && git init, then contentctl -C projects/{name} --sandbox plan"
        f"\n      then: contentctl -C projects/{name} lock install-driver\n"
    )

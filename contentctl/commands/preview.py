"""`contentctl preview`: a static HTML page of the content, with the images apply generated
fetched once and embedded, so the page makes no request of its own."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from contentctl.commands.context import App, pass_app
from contentctl.commands.options import variable_options

if TYPE_CHECKING:
    from contentctl.config import Project
    from contentctl.lockfile.records import Lockfile


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

    from contentctl.lockfile.read import read
    from contentctl.report.preview import page

    project = app.project()
    graph = app.manifests(project).graph
    lock = read(project.lockfile_path)
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

"""Writing what `init` scaffolds: its files (never over existing ones without --force), the
merge attribute of contentctl.lock, the schemas and the editor settings that use them, and
inside a git repository the merge driver."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from contentctl import editors
from contentctl.errors import ContentctlError
from contentctl.git import merge_driver, working_tree
from contentctl.validate.export import export

if TYPE_CHECKING:
    from contentctl.console import Console


def write(
    directory: Path,
    files: dict[Path, str],
    associations: dict[str, list[str]],
    console: Console,
    *,
    force: bool,
) -> None:
    """Write ``files``, the schemas and the editor's ``associations`` of them."""
    schemas = directory / editors.SCHEMAS
    existing = [p for p in [*files, schemas / "manifest.schema.json"] if p.exists()]
    if existing and not force:
        raise ContentctlError(
            f"{', '.join(str(p) for p in existing)} already exist",
            hint="use --force to overwrite them",
        )
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        console.say(f"wrote {path}")
    # Added to, never overwritten: a repository's attributes may say much else (LFS).
    if merge_driver.add_merge_attribute(directory):
        console.say(f"wrote {directory / '.gitattributes'}")
    export(schemas)
    console.say(f"wrote {schemas}{os.sep}")
    written = editors.write_settings(directory, associations)
    if written == "written":
        console.say(f"wrote {directory / editors.SETTINGS}")
    elif written == "not-json":
        setting = json.dumps({"yaml.schemas": associations}, indent=2)
        console.say(f"add to {directory / editors.SETTINGS} (left as it is):\n{setting}")


def configure_git(directory: Path, console: Console) -> Path | None:
    """Inside a git repository, configure the merge driver of contentctl.lock, and warn when
    ``directory`` is below the repository's top, where GitHub does not look for workflows.
    Returns the repository's top folder; None outside a repository."""
    top = working_tree.root(directory)
    if top is None:
        return None
    if merge_driver.install_merge_driver(directory):
        console.say("configured the contentctl merge driver for contentctl.lock in git config")
    if top.resolve() != directory.resolve():
        console.warn(
            f"warning: GitHub runs workflows only from the top of the repository "
            f"({top / '.github' / 'workflows'}), not from {directory / '.github'}: move them "
            "there and set each job's working-directory, or see `contentctl init --multi` "
            "for a repository of many projects"
        )
    return top

"""What `init` writes, and where: the files of a single project's repository, or of one of
many projects, and the editor settings that check their manifests."""

from __future__ import annotations

from pathlib import Path

from contentctl import DISTRIBUTION, __version__, editors
from contentctl.scaffold import multi as many
from contentctl.scaffold.comment_workflow import COMMENT_WORKFLOW
from contentctl.scaffold.generate_workflow import GENERATE_WORKFLOW
from contentctl.scaffold.project import CONFIG, EXAMPLE, GITIGNORE
from contentctl.scaffold.workflow import WORKFLOW


def repository_name(directory: Path) -> str:
    """The first project's name: its folder's, as a manifest name."""
    return directory.resolve().name.lower().replace(" ", "-") or "content"


def files(directory: Path, name: str, *, multi: bool) -> dict[Path, str]:
    """Each file's text, in the order init writes them."""
    workflows = directory / ".github" / "workflows"
    pinned = {"distribution": DISTRIBUTION, "version": __version__}
    found = {
        directory / "contentctl.yaml": CONFIG.format(name=name, title=name.title()),
        directory / "content" / "hello.yaml": EXAMPLE,
        directory / ".gitignore": GITIGNORE,
        workflows / "contentctl.yml": WORKFLOW.format(**pinned),
        workflows / "contentctl-comment.yml": COMMENT_WORKFLOW.format(**pinned),
        workflows / "contentctl-generate.yml": GENERATE_WORKFLOW.format(**pinned),
    }
    if multi:
        # The generate stage is a single project's: with many, each project's reviewed
        # mode would need a generate job per project, which init --multi does not scaffold.
        del found[directory / "contentctl.yaml"], found[directory / "content" / "hello.yaml"]
        del found[workflows / "contentctl-generate.yml"]
        found.update(many.files(directory, name, DISTRIBUTION, __version__))
    return found


def editor_associations(*, multi: bool) -> dict[str, list[str]]:
    """yaml.schemas: which schema checks which file, in the editor."""
    if multi:
        return many.editor_associations(editors.SCHEMAS)
    return editors.yaml_schemas(["content"])

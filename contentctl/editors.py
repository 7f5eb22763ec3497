"""Editor settings that check every document of every manifest as `contentctl validate` does.

yaml-language-server (VS Code's YAML extension; also Neovim, Helix, Zed, Emacs) takes a
document's schema from a modeline comment at the top of that document, else from the
``yaml.schemas`` globs of the editor's settings. A modeline covers one document: in a file of
several, each document after ``---`` needs its own, and one forgotten is silently not checked.
A glob covers every document of every matching file, files added later included, and matches
no template (``*.yaml.j2`` is not YAML until rendered). So ``init`` writes globs, pointing at
schemas exported into the repository itself, committed: a teammate's clone has them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

SCHEMAS = "schemas"  # where init exports the schemas, relative to the repository
SETTINGS = Path(".vscode") / "settings.json"


def yaml_schemas(content: Sequence[str], schemas: str = SCHEMAS) -> dict[str, list[str]]:
    """``yaml.schemas``: manifest.schema.json for every manifest under the ``content``
    folders, project.schema.json for contentctl.yaml. Relative to the workspace folder."""
    manifests = [f"{folder}/**/*{suffix}" for folder in content for suffix in (".yaml", ".yml")]
    return {
        f"./{schemas}/manifest.schema.json": manifests,
        f"./{schemas}/project.schema.json": ["contentctl.yaml"],
    }


def write_settings(
    directory: Path, associations: dict[str, list[str]]
) -> Literal["written", "unchanged", "not-json"]:
    """Put ``associations`` into ``directory/.vscode/settings.json``, keeping every other
    setting (and other ``yaml.schemas``). A file that is not plain JSON (VS Code allows
    comments) is left alone: "not-json", and the caller says what to add."""
    path = directory / SETTINGS
    settings: dict[str, Any] = {}
    if path.exists():
        try:
            settings = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return "not-json"
        if not isinstance(settings, dict):
            return "not-json"
    current = settings.get("yaml.schemas")
    merged = {**(current if isinstance(current, dict) else {}), **associations}
    if merged == current:
        return "unchanged"
    settings["yaml.schemas"] = merged
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return "written"

"""contentctl installs as a wheel with its schemas inside, and runs as a module."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from helpers import ROOT

import contentctl
from contentctl.kinds import KIND_SCHEMAS
from contentctl.validate.schema import PROJECT_SCHEMA
from contentctl.validate.schema_files import load_schema, schema_dir

SCHEMA_FILES = sorted(p.name for p in (ROOT / "schemas").glob("*.schema.json"))


def test_every_schema_file_is_found_and_is_draft_2020_12() -> None:
    assert sorted(p.name for p in schema_dir().glob("*.schema.json")) == SCHEMA_FILES
    for name in [*KIND_SCHEMAS.values(), PROJECT_SCHEMA]:
        schema = load_schema(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        # No $id: relative $refs resolve against the file itself, wherever it is read from.
        assert "$id" not in schema


def test_wheel_ships_the_schemas_inside_the_package(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("contentctl_social-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in SCHEMA_FILES:
            assert f"contentctl/schemas/{name}" in names
            packaged = json.loads(archive.read(f"contentctl/schemas/{name}"))
            assert packaged == json.loads((ROOT / "schemas" / name).read_text())
        assert "contentctl/cli.py" in names
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Name: contentctl-social" in metadata
    assert "Requires-Dist: jinja2>=3.1.6" in metadata


def test_the_sdist_holds_the_package_and_nothing_of_the_examples(tmp_path: Path) -> None:
    import tarfile

    from hatchling.builders.sdist import SdistBuilder

    built = next(iter(SdistBuilder(str(ROOT)).build(directory=str(tmp_path))))
    with tarfile.open(built) as archive:
        top = {name.split("/")[1] for name in archive.getnames() if "/" in name}
    assert top == {
        "contentctl",
        "schemas",
        "README.md",
        "LICENSE",
        "pyproject.toml",
        "PKG-INFO",
        ".gitignore",
    }


def test_an_installed_copy_finds_its_own_schemas() -> None:
    package = Path(contentctl.__file__).resolve().parent
    if package.parent == ROOT:  # running from the source tree (editable install)
        assert schema_dir() == ROOT / "schemas"
    else:
        assert schema_dir() == package / "schemas"


def test_runs_as_a_module_and_reports_its_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "contentctl", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"contentctl, version {contentctl.__version__}"


def test_every_schema_has_its_documentation_and_valid_examples() -> None:
    from contentctl.validate.schema import validator

    for name in SCHEMA_FILES:
        schema = load_schema(name)
        assert schema["title"] and schema["description"], name
        if name == "common.schema.json":
            continue
        assert schema.get("examples"), f"{name} has no examples"
        assert schema.get("additionalProperties") is False, name
        for example in schema["examples"]:
            validator(name).validate(example)

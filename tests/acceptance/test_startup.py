"""Start-up: a command that does not serve or emulate anything does not import the sandbox's
web framework, server or imaging library, even with --sandbox."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import Project

PROBE = """
import sys
from contentctl.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
finally:
    loaded = sorted({m.split(".")[0] for m in sys.modules} & {"starlette", "uvicorn", "PIL"})
    print("LOADED:" + ",".join(loaded), file=sys.stderr)
"""


def _loaded(project: Project, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "-C", str(project.root), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "CONTENTCTL_SANDBOX_LATENCY": "0"},
    )
    line = [x for x in done.stderr.splitlines() if x.startswith("LOADED:")]
    assert line, done.stderr
    return [m for m in line[0][len("LOADED:") :].split(",") if m]


@pytest.mark.parametrize(
    "args",
    [("--sandbox", "plan"), ("--sandbox", "validate"), ("--version",), ("plan",)],
    ids=["sandbox-plan", "sandbox-validate", "version", "plan"],
)
def test_commands_that_emulate_nothing_import_no_server_or_imaging_library(
    quickstart: Project, args: tuple[str, ...]
) -> None:
    assert _loaded(quickstart, *args) == []


def test_the_probe_sees_the_emulation_when_it_runs(quickstart: Project) -> None:
    """The check above can fail: an apply on the sandbox does load it."""
    assert "starlette" in _loaded(quickstart, "--sandbox", "apply", "--auto-approve")


def test_version_answers_without_importing_the_cli() -> None:
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['contentctl', '--version']\n"
        "runpy.run_module('contentctl', run_name='__main__')\n"
        "print('click' in sys.modules, 'contentctl.cli' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stderr.split() == ["False", "False"]
    # The same line the full command line interface prints.
    full = subprocess.run(
        [sys.executable, "-c", "from contentctl.cli import main; main(['--version'])"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.stdout == full.stdout == "contentctl, version " + _version() + "\n"


def _version() -> str:
    from contentctl import __version__

    return __version__

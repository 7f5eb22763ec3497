"""What the command leaves for the interpreter to do once it has finished."""

from __future__ import annotations

import subprocess
import sys


def test_the_command_freezes_what_it_leaves_for_the_interpreter_to_collect_at_exit() -> None:
    """At exit the interpreter collects cycles among everything still alive, more than once
    (a tenth of a second after an apply); the command has finished by then."""
    probe = (
        "import gc\n"
        "from contentctl.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('FROZEN', gc.get_freeze_count())\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    frozen = int(done.stdout.rsplit("FROZEN", 1)[1])
    assert frozen > 10_000

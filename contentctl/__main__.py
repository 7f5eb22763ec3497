"""The `contentctl` command (and `python -m contentctl`).

`contentctl --version` answers before the command line interface is imported: it is what
scripts and CI steps call to check the installed version, so it starts like `python` does.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from contentctl import __version__

        print(f"contentctl, version {__version__}")  # exactly what the full CLI prints
        return
    from contentctl.cli import main as run

    run()


if __name__ == "__main__":
    main()

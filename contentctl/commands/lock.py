"""`contentctl lock`: contentctl.lock and git. Merge the records of two branches that both
applied (a git merge driver, or by hand during a conflicted merge), install the driver
(lock_merge); commit, push and recover the lockfile an apply left (lock_recover)."""

from __future__ import annotations

import click

from contentctl.commands.lock_merge import install_driver, merge_command, resolve
from contentctl.commands.lock_recover import commit, recover, retarget


@click.group()
def lock() -> None:
    """contentctl.lock and git: merge the records of branches that both applied.

    \b
    Examples:
      contentctl lock install-driver   # once per clone: git merges contentctl.lock
      contentctl lock resolve          # during a merge that left it conflicted
    """


for command in (merge_command, resolve, install_driver, commit, recover, retarget):
    lock.add_command(command)

"""The command line: the root group, the commands it holds (contentctl/commands/) and the
entry point. Errors become messages and exit codes in one place, the group every command runs
under (contentctl/commands/group.py).

Exit codes: 0 success / no changes; 1 error, including every usage error (an unknown option,
a missing argument: click's own 2 would read as "changes present" to CI); 2 changes present,
only with plan --detailed-exitcode or drift --detailed-exitcode; 3 a bug (an error contentctl
did not expect: said in one message with how to report it); 130 interrupted (Ctrl-C or
SIGINT anywhere, the approval prompt included).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from contentctl import __version__
from contentctl.commands import (
    adopt,
    apply,
    github,
    init,
    inspect,
    lock,
    lookup,
    plan,
    preview,
    projects,
    remote,
    schema_docs,
    show,
    state,
)
from contentctl.commands.closed_pipe import ClosedPipeTolerant
from contentctl.commands.context import App
from contentctl.commands.group import ContentctlGroup
from contentctl.commands.options import global_options

EXAMPLES = """
\b
Exit codes: 0 success or no changes, 1 error (usage errors too), 2 changes present
(only with --detailed-exitcode), 3 a bug in contentctl (please report it), 130 interrupted.

\b
Examples:
  contentctl --sandbox -C examples/quickstart plan
  contentctl --sandbox -C examples/quickstart apply --auto-approve
  contentctl plan --detailed-exitcode     # in CI: exit 2 when there are changes
  contentctl plan --sandbox -C examples/quickstart   # global options go anywhere
"""


@click.group(cls=ContentctlGroup, epilog=EXAMPLES)
@click.version_option(__version__, prog_name="contentctl")
@click.option(
    "-C",
    "--project-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The content repository to work on.",
)
@click.option(
    "--sandbox",
    is_flag=True,
    envvar="CONTENTCTL_SANDBOX",
    help="Use the embedded sandbox instead of the real APIs (or CONTENTCTL_SANDBOX=1). "
    "Its state lives in .contentctl/sandbox.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and HTTP request lines.")
@click.option("--no-color", is_flag=True, help="Plain output (also when NO_COLOR is set).")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path, sandbox: bool, debug: bool, no_color: bool) -> None:
    """contentctl: plan and apply social content from reviewed YAML manifests.

    Write posts and carousels as manifests, review `contentctl plan`, and let
    `contentctl apply` make only the API calls that changed. The global options below
    go before or after the command (`contentctl plan --sandbox -C DIR`).
    """
    color = not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()
    ctx.obj = App(project_dir.resolve(), sandbox, debug, color)
    from contentctl.report import github_actions
    from contentctl.secrets import SECRET_VARIABLES

    if github_actions.active(os.environ):
        click.echo(github_actions.masks(os.environ.get(n, "") for n in SECRET_VARIABLES), nl=False)
    ctx.obj.configure_logging()


for command in (
    init.init,
    inspect.validate,
    schema_docs.schema,
    schema_docs.docs,
    plan.plan,
    apply.apply,
    inspect.render,
    preview.preview,
    show.show,
    show.output,
    remote.drift,
    remote.pull,
    lookup.lookup,
    state.state,
    adopt.import_,
    state.unlock,
    lock.lock,
    github.github,
    remote.sandbox,
    projects.projects,
):
    cli.add_command(command)
cli.add_command(remote.refresh)


def _global_options_anywhere(group: click.Group) -> None:
    """Every command also takes the global options, after its name (`plan --sandbox`)."""
    for command in group.commands.values():
        command.params.extend(global_options())
        if isinstance(command, click.Group):
            _global_options_anywhere(command)


_global_options_anywhere(cli)

EXAMPLES_HEADING = re.compile(r"\x08\n\s*Examples?:\n")


def _examples_last(group: click.Group) -> None:
    """A help ends with its examples: after Options and Commands, where the eye lands.

    Docstrings keep them beside the code they show; click prints the epilog last."""
    for command in group.commands.values():
        found = list(EXAMPLES_HEADING.finditer(command.help or ""))
        if found and not command.epilog:
            help_text = command.help or ""
            command.epilog = help_text[found[-1].start() :].strip()
            command.help = help_text[: found[-1].start()].rstrip()
        if isinstance(command, click.Group):
            _examples_last(command)


_examples_last(cli)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    import gc

    # A plan builds hundreds of thousands of objects that live until it ends (records,
    # documents, steps); with the default thresholds the cyclic collector walks them all
    # again and again, for a quarter of a large plan's time, and finds little: almost all
    # garbage here is freed by reference counting.
    gc.set_threshold(100_000, 50, 1000)
    sys.stdout = ClosedPipeTolerant(sys.stdout)
    sys.stderr = ClosedPipeTolerant(sys.stderr)
    try:
        cli.main(args=argv, prog_name="contentctl")
    finally:
        # Every file is closed and every record written by now. At exit the interpreter
        # collects cycles among everything still alive, more than once (a tenth of a
        # second after an apply, in which the command has already finished); what is
        # frozen is left out of those collections.
        gc.freeze()

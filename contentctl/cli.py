"""The command line: the only place that turns errors into messages and exit codes.

Exit codes: 0 success / no changes; 1 error, including every usage error (an unknown option,
a missing argument: click's own 2 would read as "changes present" to CI); 2 changes present,
only with plan --detailed-exitcode or drift --detailed-exitcode; 3 a bug (an error contentctl
did not expect: said in one message with how to report it); 130 interrupted (Ctrl-C or
SIGINT anywhere, the approval prompt included). The commands live in contentctl/commands/.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from contentctl import __version__
from contentctl.commands import (
    adopt,
    github,
    init,
    inspect,
    lock,
    lookup,
    plan_apply,
    preview,
    projects,
    remote,
    schema_docs,
    show,
    state,
)
from contentctl.commands.context import App, global_options
from contentctl.errors import ContentctlError, DiagnosticsError

if TYPE_CHECKING:
    from contentctl.report.text import Style

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

# Never 2: with --detailed-exitcode, 2 means "changes present", and a typo is not a change.
USAGE_ERROR = 1
INTERRUPTED = 130
# An error contentctl did not expect: a bug. Apart from 1 so that CI and scripts can tell
# "contentctl refused" from "contentctl broke".
BUG = 3
BUG_REPORT = (
    "this is a bug in contentctl, not in your project. What was sent is recorded in "
    "contentctl.lock, so running the same command again is safe. Please report it with the "
    "command line, `contentctl --version`, and the output of the same command with --debug "
    "(it redacts API keys; check it for other private content before you share it)."
)


class ContentctlGroup(click.Group):
    """Turns every error into a message and an exit code, in one place."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            _usage_exit(exc)
            raise
        except KeyboardInterrupt:
            raise _interrupted() from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            _usage_exit(exc)
            raise
        except click.Abort as exc:
            # click turns Ctrl-C at a prompt into Abort; it is still an interrupt.
            if isinstance(exc.__context__, KeyboardInterrupt):
                raise _interrupted() from None
            raise
        except (click.exceptions.Exit, click.ClickException):
            raise
        except DiagnosticsError as exc:
            _report_diagnostics(ctx, exc)
            raise click.exceptions.Exit(exc.exit_code) from None
        except ContentctlError as exc:
            _report_error(ctx, exc)
            raise click.exceptions.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            raise _interrupted() from None
        except Exception as exc:  # the one place a bug becomes a message
            _report_bug(ctx, exc)
            raise click.exceptions.Exit(BUG) from None


def _usage_exit(exc: click.UsageError) -> None:
    # On the instance: click shows it (help, "did you mean") and exits with its exit_code.
    setattr(exc, "exit_code", USAGE_ERROR)  # noqa: B010 - a ClassVar to mypy


def _interrupted() -> click.exceptions.Exit:
    click.echo("\ninterrupted", err=True)
    return click.exceptions.Exit(INTERRUPTED)


def _stderr_style() -> Style:
    from contentctl.report.text import Style

    return Style(sys.stderr.isatty() and "NO_COLOR" not in os.environ)


def _report_diagnostics(ctx: click.Context, exc: DiagnosticsError) -> None:
    from contentctl.report import github_actions
    from contentctl.report.text import diagnostics

    if github_actions.active(os.environ):
        from contentctl.git.working_tree import folder_in_repository
        from contentctl.report.diagnostics import github

        app = ctx.find_object(App)
        folder = folder_in_repository(app.project_dir) if app else ""
        click.echo(github(exc.diagnostics, folder), nl=False)
    click.echo(diagnostics(exc.diagnostics, _stderr_style()), err=True)
    errors = sum(1 for d in exc.diagnostics if d.severity == "error")
    click.echo(f"{errors} error{'' if errors == 1 else 's'}; nothing was changed.", err=True)


def _report_error(ctx: click.Context, exc: ContentctlError) -> None:
    app = ctx.find_object(App)
    if app is not None and app.debug:
        click.echo(traceback.format_exc().rstrip(), err=True)
    where = f"{exc.location}: " if exc.location else ""
    click.echo(f"{where}{_stderr_style()('error', 'red', bold=True)}: {exc}", err=True)
    if exc.hint:
        click.echo(f"  hint: {exc.hint}", err=True)


def _report_bug(ctx: click.Context, exc: Exception) -> None:
    from contentctl.secrets import SECRET_VARIABLES, redact

    app = ctx.find_object(App)
    text = traceback.format_exc() if app is not None and app.debug else ""
    text += f"{type(exc).__name__}: {exc}"
    keys = [os.environ[name] for name in SECRET_VARIABLES if os.environ.get(name)]
    text = redact(text.encode(), keys).decode()
    click.echo(f"{_stderr_style()('unexpected error', 'red', bold=True)}: {text}", err=True)
    click.echo(f"  {BUG_REPORT}", err=True)


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
    plan_apply.plan,
    plan_apply.apply,
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


class _ClosedPipeTolerant:
    """sys.stdout or sys.stderr, for a reader that may go away (`contentctl apply | head`).

    Once the reader has gone, output is dropped and the command carries on: an apply must
    never stop half-way because nobody reads it any more, and it exits with its own status,
    without a word about the pipe (the shell's convention)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._closed = False

    def write(self, text: str) -> int:
        if not self._closed:
            try:
                return int(self._stream.write(text))
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self._closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        self._closed = True
        # What is still buffered goes nowhere, also when Python flushes it at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        except (OSError, ValueError):
            pass
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    import gc

    # A plan builds hundreds of thousands of objects that live until it ends (records,
    # documents, steps); with the default thresholds the cyclic collector walks them all
    # again and again, for a quarter of a large plan's time, and finds little: almost all
    # garbage here is freed by reference counting.
    gc.set_threshold(100_000, 50, 1000)
    sys.stdout = _ClosedPipeTolerant(sys.stdout)
    sys.stderr = _ClosedPipeTolerant(sys.stderr)
    cli.main(args=argv, prog_name="contentctl")

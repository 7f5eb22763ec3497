"""The group every command runs under: the one place an error becomes a message and an
exit code (usage errors 1, bugs 3 with how to report them, interrupts 130; see cli.py)."""

from __future__ import annotations

import os
import sys
import traceback
from typing import TYPE_CHECKING, Any

import click

from contentctl.commands.context import App
from contentctl.errors import ContentctlError, DiagnosticsError

if TYPE_CHECKING:
    from contentctl.report.text import Style

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

"""The options every command, or many, share: the global options after a command's name,
--json beside --format, and --env, --var and --var-file for template variables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from contentctl.commands.context import App

F = TypeVar("F", bound=Callable[..., Any])


def _set_global(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A global option given after the command's name: it updates the App the group made."""
    app = ctx.find_object(App)
    if app is None or value is None or value is False:
        return value
    if param.name == "project_dir":
        app.project_dir = Path(value).resolve()
    elif param.name == "sandbox":
        app.sandbox = True
    elif param.name == "debug":
        app.debug = True
    elif param.name == "no_color":
        app.color = False
    app.configure_logging()
    return value


def global_options() -> list[click.Option]:
    """-C, --sandbox, --debug and --no-color for a subcommand (described in the main help)."""
    return [
        click.Option(
            ["-C", "--project-dir"],
            type=click.Path(file_okay=False, path_type=Path),
            hidden=True,
            expose_value=False,
            callback=_set_global,
        ),
        *(
            click.Option(
                [flag], is_flag=True, hidden=True, expose_value=False, callback=_set_global
            )
            for flag in ("--sandbox", "--debug", "--no-color")
        ),
    ]


def _set_variables(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """--env, --var-file, --var: kept on the App the group made."""
    app = ctx.find_object(App)
    if app is not None and param.name in ("env_name", "var_files", "var_items"):
        setattr(app, param.name, value)
    return value


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta[param.name or ""] = value
    return value


def json_option(command: F) -> F:
    """--json on a command that has --format: the same as --format json, everywhere."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="The same as --format json.",
    )(command)


def chosen_format(chosen: str) -> str:
    """The --format of the running command, or json with --json (the two must agree)."""
    ctx = click.get_current_context()
    if not ctx.meta.get("as_json"):
        return chosen
    given = ctx.get_parameter_source("output_format") == click.core.ParameterSource.COMMANDLINE
    if given and chosen != "json":
        raise click.UsageError(f"--json and --format {chosen} contradict each other; pass one")
    return "json"


def variable_options(command: F) -> F:
    """--env, --var and --var-file: the command line's say on template variables."""
    for decorator in (
        click.option(
            "--var-file",
            "var_files",
            multiple=True,
            metavar="FILE",
            expose_value=False,
            callback=_set_variables,
            help="YAML file of variables (inside the project); repeatable.",
        ),
        click.option(
            "--var",
            "var_items",
            multiple=True,
            metavar="NAME=VALUE",
            expose_value=False,
            callback=_set_variables,
            help="Set a template variable (a string); repeatable; wins over everything else.",
        ),
        click.option(
            "--env",
            "env_name",
            metavar="NAME",
            expose_value=False,
            callback=_set_variables,
            help="Environment overlay: read variables from vars/NAME.yaml.",
        ),
    ):
        command = decorator(command)
    return command

"""What every command shares: the App (project, sandbox, output style) and common options."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from contentctl.errors import ContentctlError, DiagnosticsError

if TYPE_CHECKING:
    import httpx

    from contentctl.config import Polling, Project
    from contentctl.load.variables import Overrides
    from contentctl.report.text import Style
    from contentctl.sandbox.app import Sandbox
    from contentctl.validate.manifests import Manifests


@dataclass
class App:
    """What every command needs: where the project is, and how to reach the APIs."""

    project_dir: Path
    sandbox: bool
    debug: bool
    color: bool
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    _sandbox: Sandbox | None = None
    # --env, --var-file and --var of the running command (see variable_options), or of the
    # saved plan it applies.
    env_name: str | None = None
    var_files: tuple[str, ...] = ()
    var_items: tuple[str, ...] = ()

    @property
    def overrides(self) -> Overrides:
        from contentctl.load.variables import Overrides

        items = tuple(("file", f) for f in self.var_files) + tuple(
            ("var", v) for v in self.var_items
        )
        return Overrides(self.env_name, items)

    @property
    def style(self) -> Style:
        from contentctl.report.text import Style

        return Style(self.color)

    def configure_logging(self) -> None:
        """--debug sends the log to stderr, with every API key redacted."""
        from contentctl.report import logs
        from contentctl.secrets import SECRET_VARIABLES

        if self.debug:
            environ = self.api_environ()
            logs.configure(True, (environ.get(name, "") for name in SECRET_VARIABLES))
        else:
            logs.configure(False)

    def api_environ(self) -> Mapping[str, str]:
        if not self.sandbox:
            return self.environ
        from contentctl.sandbox.endpoints import environ

        return {**self.environ, **environ()}

    def project(self) -> Project:
        from contentctl.config import load_project

        return load_project(self.project_dir, self.api_environ())

    def manifests(self, project: Project) -> Manifests:
        from contentctl.validate.manifests import check_project

        manifests = check_project(project, self.overrides)
        if manifests.errors:
            raise DiagnosticsError(manifests.diagnostics)
        if manifests.warnings:
            from contentctl.report.text import diagnostics

            click.echo(diagnostics(manifests.warnings, self.style), err=True)
        return manifests

    def the_sandbox(self, project: Project) -> Sandbox:
        if self._sandbox is None:
            from contentctl.sandbox.app import Sandbox
            from contentctl.sandbox.settings import SandboxSettings

            try:
                settings = SandboxSettings.from_env(self.environ)
            except ValueError as exc:
                raise ContentctlError(f"bad sandbox setting: {exc}") from exc
            self._sandbox = Sandbox(project.state_dir / "sandbox", settings)
        return self._sandbox

    def transport(self, project: Project) -> httpx.AsyncBaseTransport | None:
        return self.the_sandbox(project).transport() if self.sandbox else None

    def polling(self, project: Project, no_wait: bool = False) -> dict[str, Polling]:
        polling = {name: project.provider(name).polling for name in ("powerpost", "postnitro")}
        if no_wait:
            # Look once: collect what is already done, leave the rest recorded as pending.
            return {n: replace(p, initial_delay=0, timeout=0) for n, p in polling.items()}
        if self.sandbox:
            # Sandbox jobs take exactly its configured latency: look when one should be done,
            # then briskly (at most about one poll a second per job).
            latency = self.the_sandbox(project).state.settings.latency
            polling = {
                name: replace(
                    p,
                    initial_delay=latency,
                    interval=max(0.2, latency / 2),
                    backoff=1.5,
                    max_interval=max(1.0, latency),
                )
                for name, p in polling.items()
            }
        return polling


pass_app = click.make_pass_decorator(App)
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

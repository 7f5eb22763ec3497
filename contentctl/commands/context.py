"""What every command shares: the App (the project, its variables, the sandbox, the output
style), passed to each command with ``pass_app``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

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

    def use_variables(self, overrides: Overrides) -> None:
        """Variables from elsewhere (a saved plan's) in place of the command line's."""
        self.env_name = overrides.env
        self.var_files = tuple(v for k, v in overrides.items if k == "file")
        self.var_items = tuple(v for k, v in overrides.items if k == "var")

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

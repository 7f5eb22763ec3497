"""The command line: the only place that turns errors into messages and exit codes.

Exit codes: 0 success / no changes, 1 error, 2 changes present (plan --detailed-exitcode),
130 interrupted.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from contentctl import __version__
from contentctl.errors import (
    ApprovalError,
    ContentctlError,
    DiagnosticsError,
    Interrupted,
)

if TYPE_CHECKING:
    import httpx

    from contentctl.config import Polling, Project
    from contentctl.load.variables import Overrides
    from contentctl.lockfile import Lockfile
    from contentctl.plan import Plan
    from contentctl.report.text import Style
    from contentctl.sandbox import Sandbox
    from contentctl.validate.manifests import Manifests

EXAMPLES = """
\b
Examples:
  contentctl --sandbox -C examples/quickstart plan
  contentctl --sandbox -C examples/quickstart apply --auto-approve
  contentctl plan --detailed-exitcode     # in CI: exit 2 when there are changes
"""


@dataclass
class App:
    """What every command needs: where the project is, and how to reach the APIs."""

    project_dir: Path
    sandbox: bool
    debug: bool
    color: bool
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    overrides: Overrides | None = None
    _sandbox: Sandbox | None = None

    @property
    def style(self) -> Style:
        from contentctl.report.text import Style

        return Style(self.color)

    def api_environ(self) -> Mapping[str, str]:
        if not self.sandbox:
            return self.environ
        from contentctl.sandbox import Sandbox

        return {**self.environ, **Sandbox.environ()}

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
            from contentctl.sandbox import Sandbox, SandboxSettings

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
            # The sandbox's jobs take its configured latency; poll it briskly.
            latency = self.the_sandbox(project).state.settings.latency
            polling = {
                name: replace(
                    p, initial_delay=min(latency, 0.5), interval=0.25, backoff=1.2, max_interval=1.0
                )
                for name, p in polling.items()
            }
        return polling


pass_app = click.make_pass_decorator(App)
F = TypeVar("F", bound=Callable[..., Any])


def variable_options(command: F) -> F:
    """--env, --var and --var-file: the command line's say on template variables."""
    command = click.option(
        "--var-file",
        "var_files",
        multiple=True,
        metavar="FILE",
        help="YAML file of variables (inside the project); repeatable.",
    )(command)
    command = click.option(
        "--var",
        "var_items",
        multiple=True,
        metavar="NAME=VALUE",
        help="Set a template variable (a string); repeatable; wins over everything else.",
    )(command)
    command = click.option(
        "--env",
        "env_name",
        metavar="NAME",
        help="Environment overlay: read variables from vars/NAME.yaml.",
    )(command)
    return command


def _use_variables(
    app: App, env_name: str | None, var_items: tuple[str, ...], var_files: tuple[str, ...]
) -> None:
    from contentctl.load.variables import Overrides

    app.overrides = Overrides(
        env_name, tuple(("file", f) for f in var_files) + tuple(("var", v) for v in var_items)
    )


class ContentctlGroup(click.Group):
    """Turns every error into a message and an exit code, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except DiagnosticsError as exc:
            _report_diagnostics(exc)
            raise click.exceptions.Exit(exc.exit_code) from None
        except ContentctlError as exc:
            _report_error(ctx, exc)
            raise click.exceptions.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(130) from None


def _stderr_style() -> Style:
    from contentctl.report.text import Style

    return Style(sys.stderr.isatty() and "NO_COLOR" not in os.environ)


def _report_diagnostics(exc: DiagnosticsError) -> None:
    from contentctl.report.text import diagnostics

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
    `contentctl apply` make only the API calls that changed.
    """
    color = not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()
    ctx.obj = App(project_dir.resolve(), sandbox, debug, color)
    from contentctl.report import logs

    if debug:
        from contentctl.providers import SECRET_VARIABLES

        api_environ = ctx.obj.api_environ()
        logs.configure(True, (api_environ.get(name, "") for name in SECRET_VARIABLES))
    else:
        logs.configure(False)


@cli.command()
@variable_options
@pass_app
def validate(
    app: App, env_name: str | None, var_items: tuple[str, ...], var_files: tuple[str, ...]
) -> None:
    """Check every manifest against the schemas and the project's rules.

    Reports every problem of every file in one run, as file:line:col. Makes no API call.
    """
    _use_variables(app, env_name, var_items, var_files)
    project = app.project()
    manifests = app.manifests(project)
    count = len(manifests.graph.resources)
    click.echo(f"{count} resource{'' if count == 1 else 's'} valid.")


def _plan(app: App, allow_republish: bool = False) -> tuple[Project, Manifests, Lockfile, Plan]:
    from contentctl import lockfile
    from contentctl.plan import make_plan

    project = app.project()
    manifests = app.manifests(project)
    lock = lockfile.read(project.lockfile_path)
    return (
        project,
        manifests,
        lock,
        make_plan(project, manifests.graph, lock, allow_republish=allow_republish),
    )


@cli.command()
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 when there are changes, 1 on error.",
)
@click.option(
    "--allow-republish",
    is_flag=True,
    help="Plan changes to published posts (they are re-created and published again).",
)
@variable_options
@pass_app
@click.pass_context
def plan(
    ctx: click.Context,
    app: App,
    detailed_exitcode: bool,
    allow_republish: bool,
    env_name: str | None,
    var_items: tuple[str, ...],
    var_files: tuple[str, ...],
) -> None:
    """Show which API calls apply would make, why, and what they would cost.

    Compares step hashes with the lockfile; makes no API call and needs no API key.
    """
    from contentctl.report import text

    _use_variables(app, env_name, var_items, var_files)
    _project, _manifests, _lock, the_plan = _plan(app, allow_republish)
    click.echo(text.plan(the_plan, app.style))
    if detailed_exitcode and the_plan.has_changes:
        ctx.exit(2)


@cli.command()
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=None,
    help="Jobs in flight at once (default: contentctl.yaml, else 4).",
)
@click.option(
    "--allow-republish",
    is_flag=True,
    help="Allow changes to published posts (creates and publishes a new post).",
)
@click.option(
    "--resubmit-uncertain",
    is_flag=True,
    help="Submit again paid jobs whose earlier submission was interrupted and cannot "
    "be reconciled (may be charged twice).",
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="Submit jobs and record them without waiting; a later apply collects them.",
)
@variable_options
@pass_app
def apply(
    app: App,
    auto_approve: bool,
    parallelism: int | None,
    allow_republish: bool,
    resubmit_uncertain: bool,
    no_wait: bool,
    env_name: str | None,
    var_items: tuple[str, ...],
    var_files: tuple[str, ...],
) -> None:
    """Make the API calls of the plan, recording each step in contentctl.lock.

    Completed steps are never repeated; jobs submitted by an interrupted run are
    collected, not paid for again. Run it again to retry what failed. Ctrl-C (or
    SIGTERM) stops it cleanly: what is running remotely is listed and kept.
    """
    import asyncio

    from contentctl import lease, lockfile
    from contentctl.report import text

    _use_variables(app, env_name, var_items, var_files)
    project, manifests, lock, the_plan = _plan(app, allow_republish)
    click.echo(text.plan(the_plan, app.style))
    if not the_plan.has_changes:
        return
    if the_plan.blocked:
        raise ContentctlError(
            "the plan changes published posts",
            hint="use --allow-republish to create and publish new posts",
        )
    _approve(auto_approve)
    from contentctl.providers import check_credentials

    needed = _providers_needed(the_plan)
    environ = app.api_environ()
    check_credentials(environ, needed)
    click.echo("")
    with lease.hold(project.lockfile_path, owner=_owner()) as held, _sigterm_interrupts():
        writer = lockfile.LockfileWriter(project.lockfile_path, lock, on_write=held.renew)
        try:
            result = asyncio.run(
                _execute(
                    app,
                    project,
                    manifests,
                    the_plan,
                    writer,
                    needed,
                    environ,
                    parallelism or project.parallelism,
                    resubmit_uncertain,
                    no_wait,
                )
            )
        except KeyboardInterrupt:
            running = [
                f"{a} {s} (job {r.remote_id})"
                for a, rec in writer.current.resources.items()
                for s, r in rec.steps.items()
                if r.status in ("pending", "submitting")
            ]
            raise Interrupted(
                "interrupted; everything submitted is recorded in contentctl.lock"
                + (": still running remotely: " + "; ".join(running) if running else ""),
                hint="run `contentctl apply` again to collect these jobs without paying again",
            ) from None
    click.echo("")
    click.echo(text.apply_summary(result, the_plan.credits))
    touched = [
        c.address
        for c in the_plan.changes
        if c.action != "forget" and c.address in writer.current.resources
    ]
    if touched:
        click.echo("\nOutputs:\n")
        click.echo(text.outputs(writer.current, touched))
    if no_wait and not result.failures and not result.skipped:
        return  # jobs left running were asked for; the summary says how to collect them
    if not result.ok:
        raise ContentctlError("apply did not finish everything", hint="see the summary above")


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """A cancelled CI job sends SIGTERM: stop as cleanly as for Ctrl-C."""
    import signal

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


async def _execute(
    app: App,
    project: Project,
    manifests: Manifests,
    the_plan: Plan,
    writer: Any,
    needed: set[str],
    environ: Mapping[str, str],
    parallelism: int,
    resubmit_uncertain: bool,
    no_wait: bool,
) -> Any:
    from contentctl.apply import Executor
    from contentctl.providers import open_providers
    from contentctl.report import text

    async with open_providers(
        project, environ, needed, transport=app.transport(project)
    ) as providers:
        executor = Executor(
            project,
            manifests.graph,
            the_plan,
            writer,
            providers,
            parallelism=parallelism,
            polling=app.polling(project, no_wait),
            on_event=lambda e: click.echo(text.event(e)),
            resubmit_uncertain=resubmit_uncertain,
        )
        return await executor.run()


def _providers_needed(the_plan: Plan) -> set[str]:
    from contentctl.plan.steps import PROVIDER_OF_KIND

    return {PROVIDER_OF_KIND[c.kind] for c in the_plan.changes if c.action in ("create", "update")}


def _approve(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ApprovalError(
            "apply needs approval, and there is no terminal to ask on",
            hint="review the plan above and pass --auto-approve",
        )
    answer = click.prompt(
        "\nDo you want to apply? Only 'yes' will be accepted", default="", show_default=False
    )
    if answer.strip() != "yes":
        raise ApprovalError("apply cancelled")


def _owner() -> str:
    return os.environ.get("GITHUB_ACTOR") or os.environ.get("USER") or "contentctl"


@cli.command()
@click.argument("addresses", nargs=-1)
@pass_app
def show(app: App, addresses: tuple[str, ...]) -> None:
    """Show what the lockfile records: steps, remote ids, credits and outputs
    (generated captions, images, carousel files). Makes no API call."""
    from contentctl import lockfile
    from contentctl.report import text

    project = app.project()
    lock = lockfile.read(project.lockfile_path)
    unknown = [a for a in addresses if a not in lock.resources]
    if unknown:
        raise ContentctlError(
            f"not in the lockfile: {', '.join(unknown)}",
            hint="known: " + (", ".join(sorted(lock.resources)) or "nothing yet"),
        )
    click.echo(text.outputs(lock, list(addresses) or None))


@cli.command()
@click.argument("addresses", nargs=-1)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
)
@variable_options
@pass_app
def render(
    app: App,
    addresses: tuple[str, ...],
    output_format: str,
    env_name: str | None,
    var_items: tuple[str, ...],
    var_files: tuple[str, ...],
) -> None:
    """Print the manifests exactly as plan sees them: Jinja rendered, campaigns expanded.

    What reviewers read when a template changes. ADDRESS selects resources (all by default).
    """
    from contentctl.report import rendered

    _use_variables(app, env_name, var_items, var_files)
    manifests = app.manifests(app.project())
    resources = manifests.graph.resources
    unknown = [a for a in addresses if a not in resources]
    if unknown:
        raise ContentctlError(
            f"no such resource: {', '.join(unknown)}",
            hint="contentctl render with no address lists them all",
        )
    chosen = [resources[a] for a in (addresses or sorted(resources))]
    click.echo(rendered.FORMATS[output_format](chosen), nl=False)


@cli.command()
@click.option(
    "--force", is_flag=True, help="Remove the lease even if its holder may be alive (another host)."
)
@pass_app
def unlock(app: App, force: bool) -> None:
    """Remove the apply lease left by an apply that died (contentctl.lock.lease).

    A holder on this machine whose process is gone, or a lease past its expiry, is removed
    without --force. A holder on another host (a CI runner) cannot be checked: make sure
    that job is dead, then use --force.
    """
    from contentctl import lease
    from contentctl.config import LOCKFILE

    removed = lease.release(app.project_dir / LOCKFILE, force=force)
    if removed is None:
        click.echo("No lease is held.")
    else:
        click.echo(f"Removed the lease of {lease.describe(removed)}.")


@cli.group()
def sandbox() -> None:
    """The embedded emulation of PowerPost and PostNitro."""


@sandbox.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@pass_app
def sandbox_serve(app: App, port: int) -> None:
    """Serve the sandbox over HTTP on 127.0.0.1 (state in the project's .contentctl/sandbox).

    Point a client at it with POWERPOST_BASE_URL=http://127.0.0.1:PORT/powerpost/api/v1
    and POSTNITRO_BASE_URL=http://127.0.0.1:PORT/postnitro.
    """
    import uvicorn

    from contentctl.sandbox import Sandbox, SandboxSettings

    box = Sandbox(
        app.project_dir / ".contentctl" / "sandbox", SandboxSettings.from_env(app.environ)
    )
    click.echo(
        f"sandbox on http://127.0.0.1:{port} (PowerPost: /powerpost/api/v1, PostNitro: /postnitro)"
    )
    uvicorn.run(box.app, host="127.0.0.1", port=port, log_level="warning")


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=argv, prog_name="contentctl")

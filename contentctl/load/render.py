"""Render Jinja manifests: sandboxed, strict about undefined names, confined to the project.

Templates and macros load only from the project's ``templates/`` folder; a name with ``..``
or a symlink that leads outside is refused. Errors point at the template's own file and line,
also inside included templates and macros.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from contentctl.errors import Location
from contentctl.load.filters import FILTERS
from contentctl.model import Diagnostic


class ProjectLoader(jinja2.BaseLoader):
    """Loads ``templates/<name>`` and nothing that resolves outside ``templates/``."""

    def __init__(self, project_root: Path) -> None:
        self.root = project_root.resolve()
        self.folder = self.root / "templates"

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        parts = template.replace("\\", "/").split("/")
        if ".." in parts or template.startswith("/"):
            raise jinja2.TemplateNotFound(f"{template} (outside the project's templates/ folder)")
        path = (self.folder / template).resolve()
        if not path.is_relative_to(self.folder.resolve()):
            raise jinja2.TemplateNotFound(
                f"{template} (a link to outside the project's templates/ folder)"
            )
        if not path.is_file():
            raise jinja2.TemplateNotFound(f"{template} (looked in templates/)")
        mtime = path.stat().st_mtime
        source = path.read_text(encoding="utf-8")
        relative = path.relative_to(self.root).as_posix()
        return source, relative, lambda: path.stat().st_mtime == mtime


MAX_OUTPUT_CHARS = 2_000_000
MAX_RENDER_SECONDS = 10.0


class RenderLimit(Exception):
    """A template produced too much, or ran too long."""


def _bounded(template: jinja2.Template, variables: Mapping[str, Any]) -> str:
    """Render with an output cap and, where signals allow, a time limit.

    Jinja's sandbox limits what a template may touch, not how much CPU or memory it uses.
    """
    parts: list[str] = []
    size = 0
    with _deadline(MAX_RENDER_SECONDS):
        for chunk in template.generate(**variables):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise RenderLimit(f"template output is larger than {MAX_OUTPUT_CHARS:,} characters")
            parts.append(chunk)
    return "".join(parts)


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    def expired(_signum: int, _frame: Any) -> None:
        raise RenderLimit(f"template took longer than {seconds:g} seconds to render")

    try:
        previous = signal.signal(signal.SIGALRM, expired)
    except (ValueError, AttributeError):  # not the main thread, or no SIGALRM: no timer
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class ProjectEnvironment(SandboxedEnvironment):
    """The sandbox, remembering what each render includes or imports (for --changed-since),
    and compiling each manifest template once however many campaign instances use it."""

    def __init__(self, project_root: Path) -> None:
        super().__init__(
            loader=ProjectLoader(project_root),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )
        self.filters.update(FILTERS)
        self.loaded: set[str] = set()
        self.compiled: dict[tuple[str, str], jinja2.Template] = {}

    def get_template(self, name: Any, parent: Any = None, globals: Any = None) -> Any:
        # Includes and imports come here whether or not Jinja has them cached.
        self.loaded.add(f"templates/{name}" if isinstance(name, str) else str(name))
        return super().get_template(name, parent, globals)

    def manifest(self, source: str, file: str) -> jinja2.Template:
        key = (file, source)
        if key not in self.compiled:
            # Compiling with the file's name makes Jinja's tracebacks point at it.
            code = self.compile(source, name=file, filename=file)
            self.compiled[key] = self.template_class.from_code(self, code, self.make_globals(None))
        return self.compiled[key]


def make_environment(project_root: Path) -> ProjectEnvironment:
    return ProjectEnvironment(project_root)


def loaded_templates(env: SandboxedEnvironment) -> set[str]:
    """The templates the last render_template call included or imported."""
    return set(env.loaded) if isinstance(env, ProjectEnvironment) else set()


def render_template(
    env: SandboxedEnvironment, source: str, file: str, variables: Mapping[str, Any]
) -> tuple[str | None, list[Diagnostic]]:
    """Render one template; a failure is a diagnostic at the template's own line."""
    try:
        if isinstance(env, ProjectEnvironment):
            env.loaded.clear()
            template = env.manifest(source, file)
        else:
            code = env.compile(source, name=file, filename=file)
            template = env.template_class.from_code(env, code, env.make_globals(None))
        return _bounded(template, variables), []
    except RenderLimit as exc:
        return None, [
            Diagnostic(
                Location(file, 1, 1),
                str(exc),
                hint="templates must stay small and quick; check for loops that multiply",
            )
        ]
    except SecurityError as exc:
        return None, [
            Diagnostic(
                _where(exc, file),
                f"template tried something unsafe, which is refused: {exc}",
                hint="templates can use variables, filters and macros only",
            )
        ]
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or file
        return None, [
            Diagnostic(Location(where, exc.lineno, 1), f"template syntax error: {exc.message}")
        ]
    except jinja2.TemplateNotFound as exc:
        return None, [
            Diagnostic(
                _where(exc, file),
                f"template not found: {exc.message}",
                hint="include and import templates from the templates/ folder",
            )
        ]
    except jinja2.UndefinedError as exc:
        return None, [
            Diagnostic(
                _where(exc, file),
                f"undefined variable: {exc.message}",
                hint="define it in contentctl.yaml (spec.vars), a var file, "
                "or with --var NAME=VALUE",
            )
        ]
    except jinja2.TemplateError as exc:
        return None, [Diagnostic(_where(exc, file), f"template error: {exc.message or exc}")]
    except Exception as exc:  # a template may raise anything (e.g. ZeroDivisionError)
        return None, [Diagnostic(_where(exc, file), f"template error: {type(exc).__name__}: {exc}")]


def _where(exc: BaseException, file: str) -> Location:
    """The innermost template frame: Jinja rewrites tracebacks to template names and lines."""
    found = Location(file)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name == file or name.startswith("templates" + os.sep) or name.startswith("templates/"):
            found = Location(name.replace(os.sep, "/"), tb.tb_lineno, 1)
        tb = tb.tb_next
    return found

"""Render ``*.yaml.j2`` manifests with Jinja: sandboxed, strict about undefined names."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from contentctl.errors import Location
from contentctl.model import Diagnostic


def make_environment(project_root: Path) -> SandboxedEnvironment:
    templates = project_root / "templates"
    loader = jinja2.FileSystemLoader(str(templates)) if templates.is_dir() else None
    return SandboxedEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )


def render_template(
    env: SandboxedEnvironment, source: str, file: str, variables: Mapping[str, Any]
) -> tuple[str | None, list[Diagnostic]]:
    """Render one template; a failure is a diagnostic at the template's own line."""
    try:
        # Compiling with the file's name makes Jinja's rewritten tracebacks point at it.
        code = env.compile(source, name=file, filename=file)
        template = env.template_class.from_code(env, code, env.make_globals(None))
        return template.render(**variables), []
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or file
        return None, [
            Diagnostic(Location(where, exc.lineno, 1), f"template syntax error: {exc.message}")
        ]
    except jinja2.UndefinedError as exc:
        return None, [
            Diagnostic(
                Location(file, _template_line(exc, file), 1),
                f"undefined variable: {exc.message}",
                hint="define it in contentctl.yaml under spec.vars",
            )
        ]
    except jinja2.TemplateError as exc:
        return None, [
            Diagnostic(
                Location(file, _template_line(exc, file), 1),
                f"template error: {exc.message or exc}",
            )
        ]
    except Exception as exc:  # a template may raise anything (e.g. ZeroDivisionError)
        return None, [
            Diagnostic(
                Location(file, _template_line(exc, file), 1),
                f"template error: {type(exc).__name__}: {exc}",
            )
        ]


def _template_line(exc: BaseException, file: str) -> int | None:
    """Jinja rewrites tracebacks so template frames carry the template's line numbers."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == file:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line

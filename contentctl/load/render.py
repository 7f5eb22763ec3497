"""Render Jinja manifests: sandboxed, strict about undefined names, confined to the project.

Templates and macros load from the project's ``templates/`` folder, then from the template
libraries contentctl.yaml names (``spec.templates``: shared folders of the repository); a name
with ``..`` or a symlink that leads outside those folders is refused. Errors point at the
template's own file and line, also inside included templates and macros.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from contentctl.errors import Location
from contentctl.load.filters import FILTERS
from contentctl.load.limits import (
    MAX_NUMBER_BITS,
    MAX_OUTPUT_CHARS,
    SIZED_FILTERS,
    SIZED_METHODS,
    RenderLimit,
    bounded,
    check_size,
    huge_power,
    integers,
    sized_filter,
)
from contentctl.load.undefined import undefined
from contentctl.model import Diagnostic


class ProjectLoader(jinja2.BaseLoader):
    """Loads ``templates/<name>``, else ``<library>/<name>`` from each template library in
    order, and nothing that resolves outside the folder it was found in."""

    def __init__(self, project_root: Path, libraries: Sequence[Path] = ()) -> None:
        self.root = project_root.resolve()
        self.folder = self.root / "templates"
        self.folders = (self.folder.resolve(), *(p.resolve() for p in libraries))
        self._located: dict[str, Path] = {}
        self.read: dict[str, str] = {}  # each template's text as last given to Jinja

    def locate(self, template: str) -> Path:
        """The file ``template`` names; TemplateNotFound says where it was looked for.
        Remembered for the loader's life (one command): every render asks again."""
        found = self._located.get(template)
        if found is None:
            found = self._located[template] = self._search(template)
        return found

    def _search(self, template: str) -> Path:
        parts = template.replace("\\", "/").split("/")
        if ".." in parts or template.startswith("/"):
            raise jinja2.TemplateNotFound(f"{template} (outside the project's templates/ folder)")
        for folder in self.folders:
            path = (folder / template).resolve()
            if not path.is_relative_to(folder):
                own = folder == self.folders[0]
                where = "the project's templates/" if own else self.name(folder)
                raise jinja2.TemplateNotFound(f"{template} (a link to outside {where} folder)")
            if path.is_file():
                return path
        where = ", ".join(f"{self.name(f)}/" for f in self.folders)
        raise jinja2.TemplateNotFound(f"{template} (looked in {where})")

    def name(self, path: Path) -> str:
        """``path`` as the project names it: ``templates/x.j2``, ``../shared/templates/x.j2``."""
        return Path(os.path.relpath(path, self.root)).as_posix()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.locate(template)
        mtime = path.stat().st_mtime
        source = self.read[template] = path.read_text(encoding="utf-8")
        return source, self.name(path), lambda: path.stat().st_mtime == mtime


class ProjectEnvironment(SandboxedEnvironment):
    """The sandbox, remembering what each render includes or imports (for --changed-since),
    and compiling each manifest template once however many campaign instances use it."""

    # Intercepted operators are computed by call_binop at render time, never folded at
    # compile time, where no deadline can stop `10**(10**8)`.
    intercepted_binops = frozenset({"**", "*", "%", "//", "+"})

    def __init__(self, project_root: Path, libraries: Sequence[Path] = ()) -> None:
        super().__init__(
            loader=ProjectLoader(project_root, libraries),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )
        self.filters.update(FILTERS)
        self.filters.update({n: sized_filter(n, self.filters[n]) for n in SIZED_FILTERS})
        self.loaded: set[str] = set()
        # Every name asked for since it was last emptied (found or not): what a cache of
        # rendered documents looks up again (load/documents.py).
        self.requested: set[str] = set()
        self.compiled: dict[tuple[str, str], jinja2.Template] = {}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and huge_power(left, right):
            raise RenderLimit("a power that large is refused in templates")
        if operator == "*":
            for count, other in ((left, right), (right, left)):
                repeated = isinstance(count, int) and isinstance(other, (str, list, tuple))
                if repeated and count * len(other) > MAX_OUTPUT_CHARS:
                    raise RenderLimit(
                        f"repeating {len(other):,} items {count:,} times is larger than "
                        f"{MAX_OUTPUT_CHARS:,}"
                    )
            if integers(left, right) and left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
                raise RenderLimit("a product that large is refused in templates")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # 'x'.center(10**9), 'x'.ljust(...): refused before they allocate; no content needs
        # a width that large. ('{:>999999999}'.format(x) meets the memory budget instead.)
        if getattr(__obj, "__name__", None) in SIZED_METHODS and isinstance(
            getattr(__obj, "__self__", None), (str, bytes)
        ):
            for value in (*args, *kwargs.values()):
                check_size(value, f"the width given to {__obj.__name__}()")
        return super().call(__context, __obj, *args, **kwargs)

    def get_template(self, name: Any, parent: Any = None, globals: Any = None) -> Any:
        # Includes and imports come here whether or not Jinja has them cached.
        self.loaded.add(self._file_of(name))
        return super().get_template(name, parent, globals)

    def _load_template(self, name: str, globals: Any) -> Any:
        # Every load passes here, a list's (include ["a", "b"]) included.
        self.requested.add(name)
        return super()._load_template(name, globals)

    def _file_of(self, name: Any) -> str:
        """The file a name loads, as the project names it (for --changed-since)."""
        if not isinstance(name, str):
            return str(name)
        assert isinstance(self.loader, ProjectLoader)
        try:
            return self.loader.name(self.loader.locate(name))
        except jinja2.TemplateNotFound:
            return f"templates/{name}"

    def manifest(self, source: str, file: str) -> jinja2.Template:
        key = (file, source)
        if key not in self.compiled:
            # Compiling with the file's name makes Jinja's tracebacks point at it.
            code = self.compile(source, name=file, filename=file)
            self.compiled[key] = self.template_class.from_code(self, code, self.make_globals(None))
        return self.compiled[key]


def make_environment(project_root: Path, libraries: Sequence[Path] = ()) -> ProjectEnvironment:
    """The project's template environment; ``libraries``: its shared template folders."""
    return ProjectEnvironment(project_root, libraries)


def loaded_templates(env: SandboxedEnvironment) -> set[str]:
    """The templates the last render_template call included or imported."""
    return set(env.loaded) if isinstance(env, ProjectEnvironment) else set()


def render_template(
    env: SandboxedEnvironment,
    source: str,
    file: str,
    variables: Mapping[str, Any],
    origins: Mapping[str, str] | None = None,
) -> tuple[str | None, list[Diagnostic]]:
    """Render one template; a failure is a diagnostic at the template's own line.

    ``origins`` says where variables come from (a campaign's matrix), for the hint of an
    undefined one; the others come from contentctl.yaml, var files and --var."""

    def make() -> jinja2.Template:
        if isinstance(env, ProjectEnvironment):
            env.loaded.clear()
            return env.manifest(source, file)
        code = env.compile(source, name=file, filename=file)
        return env.template_class.from_code(env, code, env.make_globals(None))

    try:
        return bounded(make, variables), []
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
        found = _where(exc, file)
        text = source if found.file == file else _source(env, found.file)
        return None, [undefined(exc.message or "", found, text, variables, origins or {})]
    except jinja2.TemplateError as exc:
        return None, [Diagnostic(_where(exc, file), f"template error: {exc.message or exc}")]
    except Exception as exc:  # a template may raise anything (e.g. ZeroDivisionError)
        return None, [Diagnostic(_where(exc, file), f"template error: {type(exc).__name__}: {exc}")]


def _source(env: SandboxedEnvironment, file: str) -> str | None:
    """The text of an included template, to find a column in it."""
    if isinstance(env.loader, ProjectLoader) and file.startswith("../"):
        try:
            return (env.loader.root / file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    if env.loader is None or not file.startswith("templates/"):
        return None
    try:
        return env.loader.get_source(env, file.removeprefix("templates/"))[0]
    except jinja2.TemplateNotFound:
        return None


def _where(exc: BaseException, file: str) -> Location:
    """The innermost template frame: Jinja rewrites tracebacks to template names and lines."""
    found = Location(file)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if (
            name == file
            or name.startswith(("templates" + os.sep, "templates/"))
            or (name.startswith("../") and not name.endswith(".py"))  # a template library
        ):
            found = Location(name.replace(os.sep, "/"), tb.tb_lineno, 1)
        tb = tb.tb_next
    return found

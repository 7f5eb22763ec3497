"""Render Jinja manifests: sandboxed, strict about undefined names, confined to the project.

Templates and macros load from the project's ``templates/`` folder, then from the template
libraries contentctl.yaml names (``spec.templates``: shared folders of the repository); a name
with ``..`` or a symlink that leads outside those folders is refused. Errors point at the
template's own file and line, also inside included templates and macros.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from contentctl.errors import Location
from contentctl.load.filters import FILTERS
from contentctl.model import Diagnostic


class ProjectLoader(jinja2.BaseLoader):
    """Loads ``templates/<name>``, else ``<library>/<name>`` from each template library in
    order, and nothing that resolves outside the folder it was found in."""

    def __init__(self, project_root: Path, libraries: Sequence[Path] = ()) -> None:
        self.root = project_root.resolve()
        self.folder = self.root / "templates"
        self.folders = (self.folder.resolve(), *(p.resolve() for p in libraries))
        self._located: dict[str, Path] = {}

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
        source = path.read_text(encoding="utf-8")
        return source, self.name(path), lambda: path.stat().st_mtime == mtime


MAX_OUTPUT_CHARS = 2_000_000
MAX_RENDER_SECONDS = 10.0
MAX_RENDER_MEMORY = 512 * 1024**2  # bytes a render may add to the process
MAX_NUMBER_BITS = 100_000  # about 30,000 digits: more is no content, only a way to hang
# Filters and string methods whose numbers are widths or counts of what they produce.
SIZED_FILTERS = ("center", "indent", "wordwrap", "truncate", "batch", "slice")
SIZED_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class RenderLimit(Exception):
    """A template produced too much, or ran too long."""


def _bounded(make: Callable[[], jinja2.Template], variables: Mapping[str, Any]) -> str:
    """Compile and render with an output cap, a time limit and a memory budget.

    Jinja's sandbox limits what a template may touch, not how much CPU or memory it uses;
    and Jinja folds constant expressions while compiling, so compiling is bounded too.
    """
    parts: list[str] = []
    size = 0
    with _deadline(MAX_RENDER_SECONDS), _memory_budget(MAX_RENDER_MEMORY):
        try:
            for chunk in make().generate(**variables):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise RenderLimit(
                        f"template output is larger than {MAX_OUTPUT_CHARS:,} characters"
                    )
                parts.append(chunk)
        except MemoryError:
            raise RenderLimit(
                f"template needed more than {MAX_RENDER_MEMORY // 1024**2:,} MB of memory"
            ) from None
    return "".join(parts)


@contextlib.contextmanager
def _memory_budget(extra: int) -> Iterator[None]:
    """Lower the address-space limit to what the process uses now plus ``extra`` (Linux)."""
    try:
        import resource

        size = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):  # not Linux: the time limit alone
        yield
        return
    budget = size + extra
    if hard != resource.RLIM_INFINITY:
        budget = min(budget, hard)
    if soft != resource.RLIM_INFINITY and soft <= budget:
        yield  # already as strict
        return
    resource.setrlimit(resource.RLIMIT_AS, (budget, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _integers(*values: Any) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _huge_power(base: Any, exponent: Any) -> bool:
    if not _integers(base, exponent) or exponent <= 0:
        return False
    return bool(exponent * max(1, abs(base).bit_length()) > MAX_NUMBER_BITS)


def _check_size(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"{what} {value} is larger than a template may ask for")


def _sized_filter(name: str, filter_: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses a width or count no content needs (center(10**9))."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args[1:], *kwargs.values()):
            _check_size(value, f"the {name} filter's argument")
        return filter_(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):  # keep how Jinja passes context/environment
        if hasattr(filter_, attribute):
            setattr(bounded, attribute, getattr(filter_, attribute))
    return bounded


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
        self.filters.update({n: _sized_filter(n, self.filters[n]) for n in SIZED_FILTERS})
        self.loaded: set[str] = set()
        self.compiled: dict[tuple[str, str], jinja2.Template] = {}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _huge_power(left, right):
            raise RenderLimit("a power that large is refused in templates")
        if operator == "*":
            for count, other in ((left, right), (right, left)):
                repeated = isinstance(count, int) and isinstance(other, (str, list, tuple))
                if repeated and count * len(other) > MAX_OUTPUT_CHARS:
                    raise RenderLimit(
                        f"repeating {len(other):,} items {count:,} times is larger than "
                        f"{MAX_OUTPUT_CHARS:,}"
                    )
            if _integers(left, right) and left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
                raise RenderLimit("a product that large is refused in templates")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # 'x'.center(10**9), 'x'.ljust(...): refused before they allocate; no content needs
        # a width that large. ('{:>999999999}'.format(x) meets the memory budget instead.)
        if getattr(__obj, "__name__", None) in SIZED_METHODS and isinstance(
            getattr(__obj, "__self__", None), (str, bytes)
        ):
            for value in (*args, *kwargs.values()):
                _check_size(value, f"the width given to {__obj.__name__}()")
        return super().call(__context, __obj, *args, **kwargs)

    def get_template(self, name: Any, parent: Any = None, globals: Any = None) -> Any:
        # Includes and imports come here whether or not Jinja has them cached.
        self.loaded.add(self._file_of(name))
        return super().get_template(name, parent, globals)

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
        return _bounded(make, variables), []
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


UNDEFINED_NAME = re.compile(r"^'(?P<name>[^']+)' is undefined$")
NO_ATTRIBUTE = re.compile(r"has no (?:attribute|element) '(?P<name>[^']+)'$")
# Where project variables are defined, for a name no campaign defines.
PROJECT_VARIABLES = "contentctl.yaml (spec.vars), a var file, or with --var NAME=VALUE"


def undefined(
    message: str,
    where: Location,
    source: str | None,
    variables: Mapping[str, Any],
    origins: Mapping[str, str],
) -> Diagnostic:
    """An undefined name or attribute: at its column, with the names there are instead."""
    line = (source or "").splitlines()[where.line - 1] if source and where.line else ""
    top = UNDEFINED_NAME.match(message)
    attribute = NO_ATTRIBUTE.search(message)
    if top:
        name = top["name"]
        at = re.search(rf"(?<![\w.]){re.escape(name)}\b", line)
        known = [k for k in variables if isinstance(k, str) and k != "vars"]
        close = difflib.get_close_matches(name, known, n=1)
        # The campaign whose variables these are ("spec.matrix of campaign/x in FILE").
        places = sorted({f"spec.vars of {o.split(' of ', 1)[1]}" for o in origins.values()})
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else "define it in " + ", ".join([*places, PROJECT_VARIABLES])
        )
        return Diagnostic(
            _column(where, at), f"undefined variable: {name!r} is undefined", hint=hint
        )
    if attribute:
        name = attribute["name"]
        at = re.search(
            rf"(?P<owner>[A-Za-z_][\w.]*)\s*(?:\.\s*(?P<dot>{re.escape(name)})\b"
            rf"|\[\s*(?P<quote>['\"]){re.escape(name)}(?P=quote)\s*\])",
            line,
        )
        owner = at["owner"] if at else None
        value = _lookup(variables, owner) if owner else None
        if at is None or owner is None or not isinstance(value, Mapping):
            return Diagnostic(
                _column(where, at), f"undefined variable: {message}", hint=f"check {name!r}"
            )
        keys = sorted(str(k) for k in value)
        close = difflib.get_close_matches(name, keys, n=1)
        origin = origins.get(owner.split(".")[0], PROJECT_VARIABLES.replace("with ", ""))
        has = f"{owner} (from {origin}) has: {', '.join(keys) or 'nothing'}"
        hint = f"did you mean '{owner}.{close[0]}'? {has}" if close else has
        start = at.start("dot") if at["dot"] else at.end("quote")
        return Diagnostic(
            replace(where, col=start + 1) if where.line else where,
            f"undefined variable: {owner} has no {name!r}",
            hint=hint,
        )
    return Diagnostic(
        where, f"undefined variable: {message}", hint=f"define it in {PROJECT_VARIABLES}"
    )


def _column(where: Location, found: re.Match[str] | None) -> Location:
    return replace(where, col=found.start() + 1) if found and where.line else where


def _lookup(variables: Mapping[str, Any], dotted: str) -> Any:
    value: Any = variables
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


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

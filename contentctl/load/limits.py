"""What one render may cost: its output, its time, the memory it adds, and numbers that serve
only to hang (``10**(10**8)``, ``'x'.center(10**9)``).

Jinja's sandbox limits what a template may touch, not how much CPU or memory it uses; and
Jinja folds constant expressions while compiling, so compiling is bounded too.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import jinja2

try:
    import resource
except ImportError:  # pragma: no cover - not Unix: the time limit alone
    resource = None  # type: ignore[assignment]

MAX_OUTPUT_CHARS = 2_000_000
MAX_RENDER_SECONDS = 10.0
MAX_RENDER_MEMORY = 512 * 1024**2  # bytes a render may add to the process
MAX_NUMBER_BITS = 100_000  # about 30,000 digits: more is no content, only a way to hang
# Filters and string methods whose numbers are widths or counts of what they produce.
SIZED_FILTERS = ("center", "indent", "wordwrap", "truncate", "batch", "slice")
SIZED_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class RenderLimit(Exception):
    """A template produced too much, or ran too long."""


def bounded(make: Callable[[], jinja2.Template], variables: Mapping[str, Any]) -> str:
    """Compile and render with an output cap, a time limit and a memory budget."""
    parts: list[str] = []
    size = 0
    with _Limits(MAX_RENDER_SECONDS, MAX_RENDER_MEMORY):
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


def _process_size() -> int | None:
    """The process's virtual size now (Linux), read as cheaply as it can be: once a render."""
    try:
        handle = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            first = os.read(handle, 64).split()[0]
        finally:
            os.close(handle)
        return int(first) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class _Limits:
    """A deadline (SIGALRM), then an address-space limit of what the process uses now plus
    ``extra``; undone in the other order. Where either cannot be set, it is left out."""

    def __init__(self, seconds: float, extra: int) -> None:
        self.seconds = seconds
        self.extra = extra
        self.previous: Any = None
        self.timer = False
        self.restore: tuple[int, int] | None = None

    def expired(self, _signum: int, _frame: Any) -> None:
        raise RenderLimit(f"template took longer than {self.seconds:g} seconds to render")

    def __enter__(self) -> None:
        try:
            self.previous = signal.signal(signal.SIGALRM, self.expired)
        except (ValueError, AttributeError):  # not the main thread, or no SIGALRM: no timer
            pass
        else:
            self.timer = True
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            self._lower()
        except BaseException:
            self._stop()
            raise

    def _lower(self) -> None:
        size = _process_size() if resource is not None else None
        if size is None:
            return
        try:
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        except (OSError, ValueError):
            return
        budget = size + self.extra
        if hard != resource.RLIM_INFINITY:
            budget = min(budget, hard)
        if soft != resource.RLIM_INFINITY and soft <= budget:
            return  # already as strict
        resource.setrlimit(resource.RLIMIT_AS, (budget, hard))
        self.restore = (soft, hard)

    def _stop(self) -> None:
        if self.timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self.restore is not None:
                resource.setrlimit(resource.RLIMIT_AS, self.restore)
        finally:
            self._stop()


def integers(*values: Any) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def huge_power(base: Any, exponent: Any) -> bool:
    if not integers(base, exponent) or exponent <= 0:
        return False
    return bool(exponent * max(1, abs(base).bit_length()) > MAX_NUMBER_BITS)


def check_size(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"{what} {value} is larger than a template may ask for")


def sized_filter(name: str, filter_: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses a width or count no content needs (center(10**9))."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args[1:], *kwargs.values()):
            check_size(value, f"the {name} filter's argument")
        return filter_(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):  # keep how Jinja passes context/environment
        if hasattr(filter_, attribute):
            setattr(bounded, attribute, getattr(filter_, attribute))
    return bounded

"""The package's modules form a directed acyclic graph: no module needs, even lazily inside a
function, a module that needs it back. Imports under `if TYPE_CHECKING:` are for the type
checker only and do not count; importing a submodule runs its packages' __init__ first, so
that counts as needing them too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import contentctl

PACKAGE = Path(contentctl.__file__).parent


def _module_name(path: Path) -> str:
    parts = ("contentctl", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for n in node.orelse for n in _imports_of(n))
            continue
        yield from _imports_of(node)


def _imports_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _imports(node)


def _resolve(name: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = name.split(".") if MODULES[name].name == "__init__.py" else name.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _needs(name: str) -> set[str]:
    found: set[str] = set()
    for node in _imports(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
            continue
        base = _resolve(name, node)
        submodules = {f"{base}.{a.name}" for a in node.names} & MODULES.keys()
        found |= submodules
        if len(submodules) < len(node.names):  # names defined by the module itself
            found.add(base)
    found |= {parent for module in found for parent in _packages(module)}
    own = set(_packages(name)) | {name}  # already being imported when this module runs
    return {m for m in found if m in MODULES and m not in own}


def _packages(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for needed in sorted(graph[module]):
            if needed not in index:
                visit(needed)
                low[module] = min(low[module], low[needed])
            elif needed in stack:
                low[module] = min(low[module], index[needed])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_the_finder_sees_a_cycle_hidden_in_a_function() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert _cycles(graph) == [["a", "b", "c"]]


def test_a_lazy_import_counts_and_a_type_checking_one_does_not() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import contentctl.model\n"
        "def f():\n    import contentctl.errors\n"
    )

    assert [ast.unparse(n) for n in _imports(tree)] == [
        "from typing import TYPE_CHECKING",
        "import contentctl.errors",
    ]


def test_importing_a_submodule_needs_its_package_but_not_ones_own() -> None:
    assert {"contentctl.plan", "contentctl.plan.diff"} <= _needs("contentctl.apply.executor")
    assert "contentctl.plan" not in _needs("contentctl.plan.diff")


def test_no_module_of_the_package_needs_itself_through_others() -> None:
    graph = {name: _needs(name) for name in MODULES}

    assert _cycles(graph) == []

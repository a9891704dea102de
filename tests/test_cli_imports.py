"""No import cycles in the package: the CLI's old `_cli` <-> `_demo` loop must not come back."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import flinkey_async

PACKAGE = Path(flinkey_async.__file__).parent


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Yield every statement, nested ones too, except those under ``if TYPE_CHECKING:``."""
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from statements(node.orelse)
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            yield from statements(getattr(node, field, []))


def module_imports() -> dict[str, set[str]]:
    """Return each flinkey_async module and the package modules it imports (lazily or not)."""
    modules: dict[str, Path] = {}
    for file in PACKAGE.rglob("*.py"):
        parts = file.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = file
    graph: dict[str, set[str]] = {}
    for name, file in modules.items():
        package = name if file.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in statements(ast.parse(file.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                target = (f"{base}.{node.module}" if node.module else base) if node.level else ""
                target = target or node.module or ""
                # `from . import _sibling` imports that module, not its package's namespace.
                for alias in node.names:
                    module = f"{target}.{alias.name}"
                    found.add(module if module in modules else target)
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def test_the_graph_sees_lazy_imports_but_not_type_checking_ones() -> None:
    """An import inside a function counts (it runs); one under TYPE_CHECKING does not."""
    graph = module_imports()
    assert "flinkey_async._cli._demo" in graph["flinkey_async._cli._parser"]
    assert "flinkey_async._cli._output" in graph["flinkey_async._cli._demo"]
    assert "flinkey_async._client" not in graph["flinkey_async._cli._demo"]


def test_no_import_cycles() -> None:
    """No module imports a module that imports it back, directly or through others."""
    graph = module_imports()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start] - seen:
            seen.add(nxt)
            if nxt == goal or reaches(nxt, goal, seen):
                return True
        return False

    assert [name for name in graph if reaches(name, name, set())] == []

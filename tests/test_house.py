"""The package's layout: review.* modules import one another without a cycle.

Every module under src/review is parsed with `ast` (nothing is imported). An edge A -> B is any
`import review.B` / `from review.B import ...` / `from . import B` in A, at module level or inside a
function or class: an import deferred into a function still ties the two modules together, and
deferring one is how cycles hide, so both count. `from review.pkg import name` counts as an edge to
`review.pkg.name` when that is a module, else to `review.pkg`. An edge to a package does not count
its submodules. An import of a module's own parent package (`from review import __version__`) is
not counted: Python has always run the parent's __init__ before the module, so it cannot close a
cycle at import time; review/__init__.py imports nothing of review's at module level.
"""

import ast
import shutil
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / "review").rglob("*.py"))}


def _resolve(name: str, module: str, path: Path, level: int) -> str:
    if not level:
        return name
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node.module or "", module, path, node.level)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            for target in targets:
                while target and target not in modules:  # `import review.a.b` names a module or its package
                    target = target.rpartition(".")[0]
                if target and target != module and not module.startswith(target + "."):
                    graph[module].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_find_cycle_names_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_graph_sees_module_and_function_level_imports():
    graph = import_graph()
    assert "review.config" in graph["review.cli"]  # imported inside the `run` command
    assert all(name.startswith("review") for name in graph)


def test_package_init_imports_no_submodule_at_module_level():
    tree = ast.parse((SRC / "review" / "__init__.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not [n for n in top if isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").startswith("review"))]


def test_review_imports_have_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_code_digest_covers_every_subpackage(tmp_path, monkeypatch):
    from review.runner import cache

    package = tmp_path / "review"
    shutil.copytree(cache.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", package)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    before = cache.code_digest(notebooks)
    deepest = max(package.rglob("*.py"), key=lambda p: (len(p.relative_to(package).parts), str(p)))
    assert len(deepest.relative_to(package).parts) > 1  # a module in a subpackage
    deepest.write_text(deepest.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert cache.code_digest(notebooks) != before

"""The package's shape, read from its source: no import cycle between govsite's modules, and
Whoosh used through its public API only (issue 16)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "govsite"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in PACKAGE.rglob("*.py")}


def runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:` (imports for annotations only)."""
    found = []
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
            found += [n for orelse in child.orelse for n in [orelse, *runtime_nodes(orelse)]]
            continue
        found += [child, *runtime_nodes(child)]
    return found


def imported(tree: ast.Module, modules: set[str]) -> set[str]:
    """govsite modules this one imports when it runs, at its top or inside a function alike."""
    found = set()
    for node in runtime_nodes(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found.update(name for name in names if name in modules)
    return found


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules on it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_govsite_has_no_import_cycle() -> None:
    trees = sources()
    modules = set(trees)
    # a package imports its own submodules when they are named from it; that is not a cycle
    graph = {name: {m for m in imported(tree, modules) if m != name and not m.startswith(name + ".")}
             for name, tree in trees.items()}
    assert cycle(graph) is None, " → ".join(cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_whoosh_is_used_through_its_public_api_only() -> None:
    """No private module or name is imported from Whoosh, and a module that imports Whoosh reads
    no `_private` attribute of anything but its own objects (`self._x`)."""
    for name, tree in sources().items():
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom | ast.Import)]
        whoosh = [n for n in imports if isinstance(n, ast.ImportFrom) and (n.module or "")
                  .startswith("whoosh")] + [n for n in imports if isinstance(n, ast.Import)
                                            and any(a.name.startswith("whoosh") for a in n.names)]
        for node in whoosh:
            module = node.module if isinstance(node, ast.ImportFrom) else ""
            names = [module or "", *(alias.name for alias in node.names)]
            assert not any(part.startswith("_") for n in names for part in n.split(".")), name
            assert not (module or "").startswith(("whoosh.codec", "whoosh.filedb")), name
        if whoosh:
            private = sorted({n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                              and n.attr.startswith("_") and not n.attr.startswith("__")
                              and getattr(n.value, "id", "") != "self"})
            assert private == [], f"{name}: {private}"

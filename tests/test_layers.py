"""The structure map of ``nas`` (see nas/__init__.py), checked from the source with ``ast``.

Every ``import`` in nas/ counts, function-level ones included (a lazy import that runs
back up is still a loop: it only fails later); for loops between modules, imports under
``if TYPE_CHECKING:`` do not (they never run), for the layering they do. The checks:
each package sits in a layer, no package imports one in a higher layer, the package graph
and the module graph have no cycle, and the lower layers leave Optuna (and the genome
torch) alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

NAS = Path(__file__).parents[1] / "nas"

# lowest first; a package may import its own layer and the ones below, never above
LAYERS: list[tuple[str, set[str]]] = [
    ("base", {"errors", "interrupts", "significance", "nondominated", "lcurve"}),
    ("genome", {"genome", "zoo"}),
    ("model", {"blocks", "builder", "io"}),
    ("analysis", {"analysis"}),
    ("training", {"data", "train", "zerocost", "bench"}),
    ("study", {"study"}),
    ("deploy", {"deploy"}),
    ("search", {"search"}),
    ("apps", {"retrain", "report", "fidelity", "dashboard", "curves", "searchbench"}),
    ("cli", {"cli", "__main__"}),
]
LEVEL = {pkg: i for i, (_, pkgs) in enumerate(LAYERS) for pkg in pkgs}
NO_OPTUNA = LAYERS[: LEVEL["study"]]  # Optuna stays in study and above
NO_TORCH = {"errors", "interrupts", "significance", "nondominated", "lcurve", "genome", "zoo",
            "study"}
# (importer, imported) package pairs allowed against the layering, each with its reason
KNOWN: dict[tuple[str, str], str] = {}


def _module(path: Path) -> str:
    parts = list(path.relative_to(NAS.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of nas/ by dotted name (a package under its own name)."""
    return {_module(p): p for p in NAS.rglob("*.py")}


def _targets(node: ast.AST, module: str, is_pkg: bool) -> Iterator[str]:
    """The nas modules one import statement loads: ``from nas.x import y`` names the
    submodule ``nas.x.y`` when ``y`` is one, else the package ``nas.x`` itself."""
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names if a.name.split(".")[0] == "nas")
    elif isinstance(node, ast.ImportFrom):
        base = module.split(".") if is_pkg else module.split(".")[:-1]
        if node.level:
            base = base[: len(base) - node.level + 1]
            target = ".".join([*base, *([node.module] if node.module else [])])
        else:
            target = node.module or ""
        if target.split(".")[0] != "nas":
            return
        subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules()]
        yield from subs
        if len(subs) < len(node.names):
            yield target


def _type_only(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` (bare or ``typing.``): imports a type checker reads, never run."""
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, runtime: bool) -> Iterator[ast.AST]:
    """``ast.walk``, leaving out ``if TYPE_CHECKING:`` bodies when ``runtime``."""
    yield node
    for child in ast.iter_child_nodes(node):
        if runtime and _type_only(child):
            yield from (n for c in child.orelse for n in _walk(c, runtime))
        else:
            yield from _walk(child, runtime)


@cache
def graph(runtime: bool = False) -> dict[str, set[str]]:
    """Module -> the nas modules it imports anywhere in its body (functions included);
    ``runtime`` leaves out the imports only a type checker reads."""
    out: dict[str, set[str]] = {}
    for name, path in modules().items():
        tree = ast.parse(path.read_text(), str(path))
        is_pkg = path.name == "__init__.py"
        out[name] = {t for node in _walk(tree, runtime) for t in _targets(node, name, is_pkg)}
    return out


def _external(path: Path) -> set[str]:
    """Top-level names of the non-nas packages ``path`` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names - {"nas"}


def package(module: str) -> str | None:
    """``nas.search.rungs`` -> ``search``; the root ``nas`` (a lazy facade) -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def package_graph() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for module, targets in graph().items():
        src = package(module)
        if src is None:
            continue
        out.setdefault(src, set()).update(
            dst for dst in map(package, targets) if dst not in (None, src))
    return out


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph ``edges`` as a path, or None (depth-first)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(v: str) -> list[str] | None:
        state[v] = 1
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if state.get(w) == 1:
                return [*stack[stack.index(w):], w]
            if w not in state and (found := visit(w)):
                return found
        stack.pop()
        state[v] = 2
        return None

    for v in sorted(edges):
        if v not in state and (found := visit(v)):
            return found
    return None


def test_every_package_has_a_layer():
    missing = {package(m) for m in modules()} - set(LEVEL) - {None}
    assert not missing, f"place these packages in LAYERS: {sorted(missing)}"


def test_no_import_runs_up_a_layer():
    upward = sorted(
        f"{src} ({LAYERS[LEVEL[src]][0]}) imports {dst} ({LAYERS[LEVEL[dst]][0]})"
        for src, dsts in package_graph().items() for dst in dsts
        if src in LEVEL and dst in LEVEL and LEVEL[dst] > LEVEL[src] and (src, dst) not in KNOWN)
    assert not upward, "\n".join(upward)


def test_no_loop_between_packages():
    assert cycle(package_graph()) is None


def test_no_loop_between_modules():
    # a loop through ``if TYPE_CHECKING:`` imports never runs (annotations are strings)
    found = cycle({m: {t for t in ts if t in modules()} for m, ts in graph(True).items()})
    assert found is None, " -> ".join(found or [])


@pytest.mark.parametrize(("layer", "pkgs"), NO_OPTUNA, ids=[n for n, _ in NO_OPTUNA])
def test_the_lower_layers_leave_optuna_alone(layer, pkgs):
    users = [m for m, p in modules().items() if package(m) in pkgs and "optuna" in _external(p)]
    assert not users, users


def test_plain_data_and_studies_need_no_torch():
    users = [m for m, p in modules().items() if package(m) in NO_TORCH and "torch" in _external(p)]
    assert not users, users


def test_only_study_imports_optunas_private_modules():
    private = [f"{m}: {n.module}" for m, p in modules().items() if package(m) != "study"
               for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.ImportFrom)
               and n.module and n.module.startswith("optuna.") and "._" in f".{n.module}"]
    assert not private, private


def test_the_checker_sees_loops_and_function_level_imports():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None
    tree = ast.parse("def f():\n    from nas.search import screen\n    from ..x import y\n")
    found = {t for n in ast.walk(tree) for t in _targets(n, "nas.zerocost.trivial", False)}
    assert found == {"nas.search.screen", "nas.x"}
    typed = ast.parse("if TYPE_CHECKING:\n    import nas.a\nelse:\n    import nas.b\n")
    assert {a.name for n in _walk(typed, True) if isinstance(n, ast.Import)
            for a in n.names} == {"nas.b"}

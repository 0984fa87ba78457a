"""The layout's arrows (issue 25, item 5): no import cycles among the project's own modules, no layer
importing a layer above it, and no module over 400 lines.

The graph is read from the source (ast), not from a running interpreter, so a lazy import inside a
function counts like one at the top: both run sooner or later. Imports under `if TYPE_CHECKING:` do
not count; they exist for annotations only and never run.

Today's code still breaks the rules in a few known places. They are listed below, each with a comment,
"to be removed by issue 25". The lists are exact: a violation not in them fails, and an entry that is no
longer needed fails too, so a fixed exception cannot quietly come back.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "schedules", "storage", "web")
MAX_LINES = 400

# Cycles that still exist, each as the sorted tuple of its modules. To be removed by issue 25.
KNOWN_CYCLES: set[tuple[str, ...]] = set()

# Layer by layer: a module of the key's package must not import any module under these prefixes.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "storage": ("handlers", "bot", "web"),
    "schedules": ("handlers", "bot", "web"),
    "handlers": ("bot", "web"),
    # The page is a front door beside the transports, below the composition root (bot.cli, bot.app):
    # it must never import the CLI, and in the end nothing of bot/ at all.
    "web": ("bot",),
}

# Upward arrows that still exist, as (importer, imported). None left: the page calls actions below it
# and is handed its wiring (services, clock, PageSettings, the Bridge) by bot/web_root.py (issue 25).
KNOWN_UPWARD: set[tuple[str, str]] = set()

# Modules still over MAX_LINES (none left: cli, config, wechaty_transport and models were split by what they
# hold, issue 25). A new entry needs a reason.
KNOWN_LONG: set[str] = set()


def _module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the project's packages."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, except those under `if TYPE_CHECKING:` (their `else:` branch counts)."""
    out: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module a dotted name lands in (`storage.members.MemberRepo` -> `storage.members`)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` imports the submodule when there is one, else a name of pkg.
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                targets.add(target)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = _module_files()
    return {module: _imports_of(module, path, modules) for module, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[tuple[str, ...]] = []
    counter = [0]

    def strongconnect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                strongconnect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    return sorted(components)


def _path_in(graph: dict[str, set[str]], component: tuple[str, ...]) -> str:
    """One concrete loop through a component, `a -> b -> a`, so the failure says where to cut."""
    members = set(component)
    start = component[0]
    seen = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return " -> ".join([*seen[node], start])
            if nxt not in seen:
                seen[nxt] = [*seen[node], nxt]
                queue.append(nxt)
    return " -> ".join(component)


def upward_imports(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    found = set()
    for module, targets in graph.items():
        forbidden = FORBIDDEN.get(module.split(".")[0], ())
        for target in targets:
            if any(target == prefix or target.startswith(prefix + ".") for prefix in forbidden):
                found.add((module, target))
    return found


def long_modules() -> dict[str, int]:
    out = {}
    for path in _module_files().values():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("storage/migrations/"):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            out[rel] = lines
    return out


def test_graph_sees_the_project() -> None:
    # The checks below are only as good as the graph: make sure it sees known edges, lazy ones included,
    # and skips the annotation-only ones.
    graph = import_graph()
    assert "handlers.base" in graph and "storage.members" in graph
    assert "handlers.core_types" in graph["handlers.access"]
    assert "handlers.plan_import" in graph["bot.cli_plan"]  # imported inside a function
    assert "web" in graph and "bot.cli" in graph
    assert "handlers.services" not in graph["handlers.base"]  # under `if TYPE_CHECKING:`


def test_no_import_cycles() -> None:
    graph = import_graph()
    cycles = find_cycles(graph)
    new = [f"{_path_in(graph, c)}  (modules in this cycle: {', '.join(c)})" for c in cycles if c not in KNOWN_CYCLES]
    assert not new, "import cycles:\n" + "\n".join(new)
    stale = KNOWN_CYCLES - set(cycles)
    assert not stale, f"known cycles no longer there, remove them from KNOWN_CYCLES: {sorted(stale)}"


def test_no_layer_imports_a_layer_above() -> None:
    found = upward_imports(import_graph())
    new = sorted(found - KNOWN_UPWARD)
    assert not new, "imports pointing up:\n" + "\n".join(f"{a} imports {b}" for a, b in new)
    stale = KNOWN_UPWARD - found
    assert not stale, f"known upward imports no longer there, remove them from KNOWN_UPWARD: {sorted(stale)}"


def test_no_module_over_400_lines() -> None:
    found = long_modules()
    new = {path: n for path, n in found.items() if path not in KNOWN_LONG}
    assert not new, f"modules over {MAX_LINES} lines, split them by what they hold: {new}"
    stale = KNOWN_LONG - set(found)
    assert not stale, f"no longer over {MAX_LINES} lines, remove them from KNOWN_LONG: {sorted(stale)}"


def test_checks_catch_a_new_cycle_and_an_upward_arrow() -> None:
    # The detector itself, on a made-up graph: a cycle of three and an arrow from storage up to handlers.
    graph = {"storage.a": {"storage.b", "handlers.x"}, "storage.b": {"schedules.c"},
             "schedules.c": {"storage.a"}, "handlers.x": set()}
    assert find_cycles(graph) == [("schedules.c", "storage.a", "storage.b")]
    assert _path_in(graph, ("schedules.c", "storage.a", "storage.b")) == "schedules.c -> storage.a -> storage.b -> schedules.c"
    assert upward_imports(graph) == {("storage.a", "handlers.x")}

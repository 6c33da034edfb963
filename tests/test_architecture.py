"""The house rules of ``backend/``, read from the source with ``ast`` (no import, no database).

* no import circle between modules, counting imports inside functions too;
* dependencies point down the layers below: a module never imports a higher layer at the top of
  its file (an import that must reach up sits inside the one function that needs it, with a
  comment saying why);
* domains on one layer meet in one direction, except the pairs listed in ``SIBLINGS_THAT_MEET``.

The layers are written down in README.md ("Layout"); change both together.
"""
import ast
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent / "backend"

#: lowest first; a package may import its own layer and the ones before it
LAYERS = [
    {"common", "config", "errors", "extensions"},
    {"org", "auth", "residents", "audit", "system", "announcements"},
    {"ledger"},
    {"credit"},
    {"cards", "merchants", "volunteering", "supermarket"},
    {"devices"},
    {"kiosk", "reports", "mobile", "console"},
    {"app", "cli", "models", "error_docs", "__init__"},
]

#: siblings that import each other at the top of some module, and why that is no circle of modules
SIBLINGS_THAT_MEET = {
    # auth signs residents in (auth.service → residents.models); residents hash PINs with auth.passwords
    # and find a staff member's own household through auth.models
    frozenset({"auth", "residents"}),
    # merchants.service builds on cards.service (door cards, discount codes); the card page shows a
    # merchant through merchants.profile, which imports nothing of cards
    frozenset({"cards", "merchants"}),
}

#: function-level imports waiting for the volunteering split (issue 12), which moves them to the top


def _module_name(path):
    parts = list(path.relative_to(BACKEND.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules():
    return {_module_name(path): path for path in sorted(BACKEND.rglob("*.py"))}


def _imports(module, path, known):
    """[(imported module, at top level?, line, comment above or beside)] of one file."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    top = {id(node) for node in tree.body}
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            stem = ".".join(base + ([node.module] if node.module else []))
            # ``from . import service`` imports a module; ``from .service import x`` a name of one
            targets = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in known else stem for alias in node.names]
        else:
            continue
        line = lines[node.lineno - 1]
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        commented = "#" in line or above.startswith("#")
        for target in targets:
            if target.startswith("backend.") and target in known and target != module:
                found.append((target, id(node) in top, node.lineno, commented))
    return found


def _graph(*, top_level_only):
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for target, at_top, _line, _commented in _imports(name, path, modules):
            if at_top or not top_level_only:
                graph[name].add(target)
    return graph


def find_cycle(graph):
    """One import circle as [a, b, …, a], or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def _domain(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(module):
    domain = _domain(module)
    for level, names in enumerate(LAYERS):
        if domain in names:
            return level
    raise AssertionError(f"{module}: package {domain!r} has no layer; add it to LAYERS and to README.md")


def test_cycle_finder_sees_a_circle_and_a_clean_graph():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_every_backend_package_has_a_layer():
    for module in _modules():
        _layer(module)


def test_backend_has_no_import_circle_counting_imports_inside_functions():
    cycle = find_cycle(_graph(top_level_only=False))
    assert cycle is None, "import circle: " + " → ".join(cycle)


def test_backend_has_no_import_circle_among_top_level_imports():
    cycle = find_cycle(_graph(top_level_only=True))
    assert cycle is None, "import circle: " + " → ".join(cycle)


def test_no_module_imports_a_higher_layer_at_the_top_of_its_file():
    upward = [
        f"{module} → {target}"
        for module, targets in _graph(top_level_only=True).items()
        for target in targets
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_cross_domain_import_inside_a_function_says_why():
    modules = _modules()
    silent = [
        f"{name}:{line} → {target}"
        for name, path in modules.items()
        for target, at_top, line, commented in _imports(name, path, modules)
        if not at_top and not commented and _domain(target) != _domain(name)
        and _domain(target) not in LAYERS[0]
    ]
    assert silent == []


def test_domains_on_one_layer_meet_in_one_direction():
    meets = set()
    for module, targets in _graph(top_level_only=True).items():
        for target in targets:
            a, b = _domain(module), _domain(target)
            if a != b and _layer(module) == _layer(target) and _layer(module) > 0:
                meets.add((a, b))
    both_ways = {frozenset(pair) for pair in meets if pair[::-1] in meets}
    assert both_ways == SIBLINGS_THAT_MEET


def test_ledger_core_imports_only_common_errors_extensions_and_its_own_models():
    modules = _modules()
    allowed = {"backend.errors", "backend.extensions", "backend.ledger.models"}
    targets = {target for target, *_ in _imports("backend.ledger.service", modules["backend.ledger.service"], modules)}
    assert {t for t in targets if t not in allowed and not t.startswith("backend.common.")} == set()

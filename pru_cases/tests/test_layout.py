"""The house plan, checked from the source: imports point down, none hide in functions, none go round in a loop.

The order (README, "How the code is laid out"): pru_cases at the bottom, then accounts, pupils, concerns, referrals,
families, meetings, outcomes, demo. A module may import its own app and the apps below it. The project's wiring
(pru_cases/urls.py, settings.py, celery.py, wsgi.py) names every app and is exempt; so are tests and migrations.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["pru_cases", "accounts", "pupils", "concerns", "referrals", "families", "meetings", "outcomes", "demo"]
RANK = {app: rank for rank, app in enumerate(ORDER)}
WIRING = {"pru_cases/urls.py", "pru_cases/settings.py", "pru_cases/celery.py", "pru_cases/wsgi.py"}
TASK_DECORATORS = {"shared_task", "task"}


def _modules():
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            parts = relative.parts
            if "tests" in parts or "migrations" in parts or relative.as_posix() in WIRING:
                continue
            yield relative


def _module_name(relative):
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node, module_name, is_package):
    """The project modules an import statement names, absolute."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module_name.split(".")
            base = base[: len(base) - node.level + (1 if is_package else 0)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module
        names = [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]
    return [name for name in names if name.split(".")[0] in RANK]


def _is_task(function):
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in TASK_DECORATORS:
            return True
    return False


class _Imports(ast.NodeVisitor):
    def __init__(self, module_name, is_package):
        self.module_name, self.is_package = module_name, is_package
        self.top, self.inside = [], []
        self._functions = []

    def visit_FunctionDef(self, node):
        self._functions.append(node)
        self.generic_visit(node)
        self._functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _record(self, node):
        names = _imported(node, self.module_name, self.is_package)
        if not names:
            return
        if not self._functions:
            self.top.append((node.lineno, names))
        elif not any(function.name == "ready" or _is_task(function) for function in self._functions):
            self.inside.append((node.lineno, names))

    visit_Import = visit_ImportFrom = _record


def _scan():
    scanned = {}
    for relative in _modules():
        tree = ast.parse((ROOT / relative).read_text(), filename=str(relative))
        visitor = _Imports(_module_name(relative), relative.name == "__init__.py")
        visitor.visit(tree)
        scanned[relative] = visitor
    return scanned


SCANNED = _scan()


def test_the_scan_sees_the_whole_house():
    apps = {relative.parts[0] for relative in SCANNED}
    assert apps == set(ORDER)
    assert Path("pupils/views.py") in SCANNED and Path("meetings/services.py") in SCANNED
    assert Path("pru_cases/urls.py") not in SCANNED


def test_imports_point_down():
    upward = [
        f"{relative}:{line} imports {name}"
        for relative, visitor in SCANNED.items()
        for line, names in visitor.top + visitor.inside
        for name in names
        if RANK[name.split(".")[0]] > RANK[relative.parts[0]]
    ]
    assert upward == []


def test_no_project_imports_hide_inside_functions():
    hidden = [
        f"{relative}:{line} imports {names[0]}"
        for relative, visitor in SCANNED.items()
        for line, names in visitor.inside
    ]
    assert hidden == []


def _graph():
    known = {_module_name(relative) for relative in SCANNED}
    graph = {}
    for relative, visitor in SCANNED.items():
        edges = set()
        for _line, names in visitor.top:
            edges.update(name for name in names if name in known)
        graph[_module_name(relative)] = edges - {_module_name(relative)}
    return graph


def _cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_import_loops():
    # A package's __init__ is imported by its children's import; only edges written in source count here.
    assert _cycles(_graph()) == []


@pytest.mark.parametrize(
    "graph, loops",
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_loop_finder_finds_loops(graph, loops):
    assert _cycles(graph) == loops


def test_the_checker_sees_an_upward_import_and_a_hidden_one():
    source = "from meetings.models import Meeting\n\ndef f():\n    from outcomes import services\n"
    visitor = _Imports("pupils.views", False)
    visitor.visit(ast.parse(source))
    assert visitor.top == [(1, ["meetings.models", "meetings.models.Meeting"])]
    assert visitor.inside == [(4, ["outcomes", "outcomes.services"])]

    allowed = (
        "class C:\n    def ready(self):\n        import meetings.panels\n\n"
        "@shared_task\ndef t():\n    from meetings import services\n"
    )
    visitor = _Imports("pupils.apps", False)
    visitor.visit(ast.parse(allowed))
    assert visitor.inside == []


def test_relative_imports_resolve_to_the_right_module():
    assert _imported(ast.parse("from . import services").body[0], "meetings.views", False) == [
        "meetings",
        "meetings.services",
    ]
    assert _imported(ast.parse("from .models import Meeting").body[0], "meetings", True) == [
        "meetings.models",
        "meetings.models.Meeting",
    ]

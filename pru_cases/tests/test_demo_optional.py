"""The demo app (demo data and benchmark commands) is optional: nothing else imports it, and the project runs without
it (DEMO_APP=False, as in production)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = (".venv", "node_modules", "static", "templates", "docs", ".git", "demo")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_no_module_outside_the_demo_app_imports_it():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SKIPPED:
            continue
        if any(name == "demo" or name.startswith("demo.") for name in _imports(path)):
            offenders.append(str(relative))
    assert offenders == []


def test_the_walk_would_see_an_import_of_demo(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("def f():\n    from demo import seed\n")
    assert "demo" in _imports(module)


def _manage(*args: str, demo: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=os.environ | {"DEMO_APP": demo},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_project_starts_without_the_demo_app_and_then_has_no_demo_commands():
    without = _manage("check", demo="False")
    assert without.returncode == 0, without.stdout + without.stderr
    assert "no issues" in without.stdout
    assert "seed_demo" not in _manage("help", demo="False").stdout
    assert "seed_demo" in _manage("help", demo="True").stdout

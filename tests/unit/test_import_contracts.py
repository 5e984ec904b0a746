"""The import contracts of .importlinter hold: services never import one another, ``shared``
imports no service (nor loads one by name at run time), and domain code imports no
infrastructure. And the same contracts do fail when broken, shown on a throwaway package tree
laid out like the project."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = (
    "Services never import one another",
    "shared is the services' library and never imports a service",
    "Domain code imports no database, broker, web or HTTP library",
)


def lint_imports(cwd: Path, python_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if python_path is not None:
        # First on the path: the throwaway ``services`` and ``shared`` hide the project's own.
        env["PYTHONPATH"] = str(python_path)
    return subprocess.run(
        # No cache: the answer is always computed from the files, and nothing is left behind.
        [str(LINT_IMPORTS), "--config", str(CONFIG), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_project_keeps_every_import_contract() -> None:
    result = lint_imports(ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for name in CONTRACTS:
        assert f"{name} KEPT" in output, output
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in output, output


def write(root: Path, relative: str, text: str = "") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_contracts_fail_on_a_tree_that_breaks_them(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for package in ("services", "shared", *(f"services.{s}" for s in ("intake", "router", "feedback", "mediation"))):
        write(tree, package.replace(".", "/") + "/__init__.py")
    for domain in ("intake", "router", "feedback"):
        write(tree, f"services/{domain}/domain.py")
    write(tree, "services/mediation/domain/__init__.py")
    write(tree, "services/casework/__init__.py")
    # The three breaches: a domain on the database, a console page on casework's domain (what
    # this contract was written against), and the shared library on a service.
    write(tree, "services/casework/domain/__init__.py")
    write(tree, "services/casework/domain/states.py", "import sqlalchemy\n\nSTATE_NAMES_ZH = {}\n")
    write(tree, "services/console/__init__.py")
    write(tree, "services/console/pages.py", "from services.casework.domain.states import STATE_NAMES_ZH\n")
    write(tree, "shared/helpers.py", "import services.console.pages\n")

    result = lint_imports(tree, python_path=tree)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    for name in CONTRACTS:
        assert f"{name} BROKEN" in output, output
    assert "services.console.pages -> services.casework.domain.states" in output, output
    assert "services.casework.domain.states -> sqlalchemy" in output, output
    assert "shared.helpers -> services.console.pages" in output, output
    assert "Contracts: 0 kept, 3 broken." in output, output


# import-linter sees only import statements; shared/ could still load a service by a name it
# computes or keeps in a string. Any string in shared/'s code (docstrings aside) that names a
# module of the services package, and any import by a name not written out, is a breach.
SERVICE_MODULE_NAME = re.compile(r"^services(\.|:|$)")
DYNAMIC_IMPORTS = {"import_module", "__import__", "run_module", "spec_from_file_location", "find_spec"}


def _docstrings(tree: ast.AST) -> set[int]:
    owners = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, owners)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def loads_by_name(package: Path) -> list[str]:
    """Where code under ``package`` names a service module in a string or imports by a computed name."""
    found: list[str] = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        docstrings = _docstrings(tree)
        where = path.relative_to(package.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node) in DYNAMIC_IMPORTS:
                literal = bool(node.args) and isinstance(node.args[0], ast.Constant)
                if not literal:
                    found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and SERVICE_MODULE_NAME.match(node.value)
            ):
                found.append(f"{where}:{node.lineno}: {node.value!r}")
    return found


def test_shared_loads_no_service_by_name_at_run_time() -> None:
    assert loads_by_name(ROOT / "shared") == []


def test_loading_a_service_by_name_is_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        "shared/loader.py",
        '"""Mentions services.intake in a docstring, which is fine."""\n'
        "import importlib\n\n"
        'PAYLOADS = ("services.casework.contracts:DepartmentCaseChanged",)\n\n\n'
        "def settings(service: str) -> object:\n"
        '    """Loads services.<name>.settings."""\n'
        '    return importlib.import_module(f"services.{service}.settings")\n\n\n'
        'INTAKE = __import__("services.intake")\n'
        'TEXT = importlib.import_module("shared.text")\n',
    )
    found = loads_by_name(tmp_path / "shared")
    # The payload named in a string, the computed name (and its "services." part), the literal
    # service import; neither the docstrings nor the import of a shared module.
    assert set(found) == {
        "shared/loader.py:4: 'services.casework.contracts:DepartmentCaseChanged'",
        "shared/loader.py:9: importlib.import_module(f'services.{service}.settings')",
        "shared/loader.py:9: 'services.'",
        "shared/loader.py:12: 'services.intake'",
    }, found
    assert len(found) == 4, found

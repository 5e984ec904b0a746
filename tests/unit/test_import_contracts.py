"""The import contracts of .importlinter hold: services never import one another, ``shared``
imports no service, and domain code imports no infrastructure. And the same contracts do fail
when broken, shown on a throwaway package tree laid out like the project."""

from __future__ import annotations

import os
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

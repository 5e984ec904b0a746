"""The one service layout (docs/developing.md), checked: what a newcomer learns in one service
holds in the next. Every service has the same parts, and SQL lives only in its repositories."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "router", "casework", "mediation", "feedback")
REQUIRED = (
    "__main__.py",
    "settings.py",
    "app.py",
    "db.py",
    "consumers.py",
    "api/__init__.py",
    "api/deps.py",
    "handlers/__init__.py",
    "handlers/context.py",
    "domain/__init__.py",
    "repositories/__init__.py",
    "migrations/env.py",
)
# Where SQL may be written: the repositories, the table definitions and the migrations.
SQL_PLACES = ("repositories/", "db.py", "migrations/")


def python_files(service: str) -> list[Path]:
    return sorted((ROOT / "services" / service).rglob("*.py"))


def relative(path: Path, service: str) -> str:
    return path.relative_to(ROOT / "services" / service).as_posix()


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_parts(service: str) -> None:
    base = ROOT / "services" / service
    missing = [part for part in REQUIRED if not (base / part).is_file()]
    assert not missing, f"services/{service} lacks {missing}"


def _is_unit_of_work(value: ast.expr) -> bool:
    """``uow.session``, ``self.uow.session``, ``self._uow.session``: a unit of work's session."""
    return ast.unparse(value).rsplit(".", 1)[-1].lstrip("_") in ("uow", "unit_of_work")


@pytest.mark.parametrize("service", SERVICES)
def test_sql_lives_only_in_repositories(service: str) -> None:
    offenders: list[str] = []
    for path in python_files(service):
        where = relative(path, service)
        if where.startswith(SQL_PLACES):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(m == "sqlalchemy" or m.startswith("sqlalchemy.") for m in modules):
                    offenders.append(f"{where}:{node.lineno} imports sqlalchemy")
            if isinstance(node, ast.Attribute) and node.attr == "session" and _is_unit_of_work(node.value):
                offenders.append(f"{where}:{node.lineno} uses {ast.unparse(node)}")
    assert not offenders, "SQL outside repositories/:\n" + "\n".join(offenders)


@pytest.mark.parametrize("service", SERVICES)
def test_the_unit_of_work_carries_the_repositories(service: str) -> None:
    source = (ROOT / "services" / service / "repositories" / "__init__.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    units = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and any(ast.unparse(b) == "UnitOfWork" for b in node.bases)
    ]
    assert units, f"services/{service}/repositories/__init__.py defines no UnitOfWork subclass"
    assert any(isinstance(item, ast.FunctionDef) and item.name == "_bind" for unit in units for item in unit.body), (
        "the unit of work makes its repositories in _bind(session)"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_a_unit_tier_of_handler_tests(service: str) -> None:
    tests = ROOT / "tests" / "unit" / service
    assert list(tests.glob("test_handlers*.py")), f"tests/unit/{service} has no test_handlers*.py"
    assert (tests / "fakes.py").is_file(), f"tests/unit/{service} has no fakes.py (in-memory repositories)"

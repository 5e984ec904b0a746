"""deploy/local/audit_dependencies.py decides from pip-audit's report: a vulnerability fails, an
audit the registry could not complete fails too (or warns, when told to), a clean one passes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "local" / "audit_dependencies.py"


@pytest.fixture
def audit(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.delenv("GRIEVANCE_AUDIT_INCOMPLETE", raising=False)
    return module


def given(
    monkeypatch: pytest.MonkeyPatch,
    audit: ModuleType,
    report: dict[str, Any] | None,
    latest: dict[str, dict[str, Any]] | None = None,
) -> None:
    """pip-audit's report and the registry's per-project records (no network in unit tests)."""
    monkeypatch.setattr(audit, "run_pip_audit", lambda: report)
    monkeypatch.setattr(audit, "latest_release_record", lambda name: (latest or {}).get(name))


def test_a_known_vulnerability_fails_and_names_the_fix(
    monkeypatch: pytest.MonkeyPatch, audit: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["1.2.4"]}
    given(monkeypatch, audit, {"dependencies": [{"name": "demo", "version": "1.2.3", "vulns": [vuln]}]})
    assert audit.main() == 1
    assert "VULNERABLE demo 1.2.3: PYSEC-2099-1 (fixed in: 1.2.4)" in capsys.readouterr().out


def test_a_package_at_its_latest_release_is_audited_from_the_project_record(
    monkeypatch: pytest.MonkeyPatch, audit: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    skipped = {"name": "demo", "version": "2.0", "skip_reason": "Dependency not found on PyPI"}
    clean = {"info": {"version": "2.0"}, "vulnerabilities": []}
    given(monkeypatch, audit, {"dependencies": [skipped]}, {"demo": clean})
    assert audit.main() == 0
    assert "no known vulnerabilities in 1 packages" in capsys.readouterr().out

    vulnerable = {"info": {"version": "2.0"}, "vulnerabilities": [{"id": "GHSA-x", "fixed_in": ["2.1"]}]}
    given(monkeypatch, audit, {"dependencies": [skipped]}, {"demo": vulnerable})
    assert audit.main() == 1


def test_an_incomplete_audit_fails_unless_told_to_warn(
    monkeypatch: pytest.MonkeyPatch, audit: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    skipped = {"name": "demo", "version": "1.0", "skip_reason": "Dependency not found on PyPI"}
    given(monkeypatch, audit, {"dependencies": [skipped]}, {"demo": {"info": {"version": "2.0"}}})
    assert audit.main() == 2
    assert "INCOMPLETE: 1 packages not audited" in capsys.readouterr().err
    monkeypatch.setenv("GRIEVANCE_AUDIT_INCOMPLETE", "warn")
    assert audit.main() == 0
    assert "WARNING dependency audit INCOMPLETE" in capsys.readouterr().err


def test_an_unreachable_registry_is_never_a_pass(monkeypatch: pytest.MonkeyPatch, audit: ModuleType) -> None:
    given(monkeypatch, audit, None)
    assert audit.main() == 2


def test_the_editable_project_itself_is_not_counted_as_unaudited(
    monkeypatch: pytest.MonkeyPatch, audit: ModuleType
) -> None:
    project = {"name": "guangming-grievance-platform", "skip_reason": "distribution marked as editable"}
    given(monkeypatch, audit, {"dependencies": [project, {"name": "demo", "version": "1", "vulns": []}]})
    assert audit.main() == 0

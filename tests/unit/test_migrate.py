"""``python -m services.migrate`` knows every service with a schema by its settings class, points
Alembic at the service's own migrations, and refuses an unknown name before migrating anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from services import migrate
from services.router.settings import Settings as RouterSettings

ROOT = Path(__file__).resolve().parents[2]


def test_every_service_with_an_alembic_environment_is_listed() -> None:
    on_disk = sorted(p.parent.parent.name for p in (ROOT / "services").glob("*/migrations/env.py"))
    assert migrate.services_with_migrations() == on_disk
    for name, settings in migrate.SETTINGS.items():
        assert settings.__module__ == f"services.{name}.settings"


def test_the_configuration_points_at_the_service_migrations_and_database() -> None:
    settings = RouterSettings(environment="test", database_url="postgresql+asyncpg://u:p%40ss@db.example:5432/g")
    config = migrate.alembic_config("router", settings)
    assert config.get_main_option("script_location") == str(ROOT / "services" / "router" / "migrations")
    # ConfigParser interpolation undoes the escaping: Alembic gets the URL as written.
    assert config.get_main_option("sqlalchemy.url") == "postgresql+asyncpg://u:p%40ss@db.example:5432/g"


def test_an_unknown_service_is_refused_before_anything_migrates(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Were the name checked only when reached, intake would migrate first: against nothing.
    monkeypatch.setenv("GRIEVANCE_DATABASE_URL", "postgresql+asyncpg://u:p@127.0.0.1:9/none")
    for name in migrate.SETTINGS:
        monkeypatch.delenv(f"{name.upper()}_DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        migrate.main(["intake", "billing"])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert "unknown services billing" in captured.err
    assert "migrated" not in captured.out
    with pytest.raises(ValueError, match="unknown service 'billing'"):
        migrate.alembic_config("billing")

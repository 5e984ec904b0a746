"""Every service's schema migrated to its Alembic head: what deployments run before the services.

    python -m services.migrate                  # every service, to head
    python -m services.migrate intake router    # some of them
    python -m services.migrate --revision <rev> router

Only the ``services`` package knows which services there are, so the list lives here, with each
service's settings imported by name in the code; shared/db/migrations.py is the Alembic plumbing
for one migrations directory and never loads a service.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic.config import Config

from services.casework.settings import Settings as CaseworkSettings
from services.console.settings import Settings as ConsoleSettings
from services.feedback.settings import Settings as FeedbackSettings
from services.intake.settings import Settings as IntakeSettings
from services.mediation.settings import Settings as MediationSettings
from services.router.settings import Settings as RouterSettings
from shared.db import migrations
from shared.settings import ServiceSettings

SERVICES_DIR = Path(__file__).resolve().parent
# Every service that owns a schema, by its name, with its settings (which carry its database
# URL); its Alembic environment is services/<name>/migrations.
SETTINGS: dict[str, type[ServiceSettings]] = {
    settings.service_name: settings
    for settings in (
        CaseworkSettings,
        ConsoleSettings,
        FeedbackSettings,
        IntakeSettings,
        MediationSettings,
        RouterSettings,
    )
}


def services_with_migrations() -> list[str]:
    return sorted(SETTINGS)


def settings_class(service: str) -> type[ServiceSettings]:
    if service not in SETTINGS:
        raise ValueError(f"unknown service {service!r}; services with migrations: {', '.join(sorted(SETTINGS))}")
    return SETTINGS[service]


def migrations_dir(service: str) -> Path:
    settings_class(service)  # refuse an unknown name before Alembic looks for its directory
    return SERVICES_DIR / service / "migrations"


def alembic_config(service: str, settings: ServiceSettings | None = None) -> Config:
    """Alembic's configuration for ``service``; its settings from the environment unless given."""
    return migrations.alembic_config(migrations_dir(service), settings or settings_class(service)())


def upgrade(service: str, revision: str = "head", settings: ServiceSettings | None = None) -> None:
    migrations.upgrade(migrations_dir(service), settings or settings_class(service)(), revision)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.migrate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("services", nargs="*", help="services to migrate (default: all)")
    parser.add_argument("--revision", default="head")
    args = parser.parse_args(argv)
    unknown = [name for name in args.services if name not in SETTINGS]
    if unknown:
        # Checked before the first migration, so a typo migrates nothing.
        parser.error(f"unknown services {', '.join(unknown)}; choose from {', '.join(services_with_migrations())}")
    for service in args.services or services_with_migrations():
        upgrade(service, args.revision)
        print(f"{service}: migrated to {args.revision}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

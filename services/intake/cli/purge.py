"""One personal-data retention run now (docs/operations.md, "Personal-data retention"):

python -m services.intake.cli.purge [--dry-run]
python -m services.intake purge-personal-data [--dry-run]     # the same
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from services.intake.app import build_infrastructure
from services.intake.handlers.retention import PurgeReport, purge_personal_data
from services.intake.repositories import IntakeUnitOfWork
from services.intake.settings import Settings
from shared.clock import SystemClock
from shared.logging import configure_logging


async def run(settings: Settings, *, dry_run: bool) -> PurgeReport | None:
    infra = build_infrastructure(settings)
    try:
        return await purge_personal_data(
            uow_factory=IntakeUnitOfWork.factory_of(infra.uow), settings=settings, clock=SystemClock(), dry_run=dry_run
        )
    finally:
        await infra.close()


def main(argv: list[str] | None = None, *, prog: str = "python -m services.intake.cli.purge") -> int:
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--dry-run", action="store_true", help="count the complainants due, change nothing")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(service=settings.service_name, level=settings.log_level, json=settings.log_json)
    report = asyncio.run(run(settings, dry_run=args.dry_run))
    if report is None:
        print("retention is off (INTAKE_PERSONAL_DATA_RETENTION_DAYS=0): nothing purged")
    elif report.dry_run:
        print(f"would purge {report.purged} complainants of cases concluded before {report.cutoff.isoformat()}")
    else:
        print(f"purged {report.purged} complainants of cases concluded before {report.cutoff.isoformat()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run intake: ``python -m services.intake {api|worker|relay|all}``, or one retention run:
``python -m services.intake purge-personal-data [--dry-run]`` (services.intake.cli.purge)."""

import sys

from services.intake.app import MODES, parts
from services.intake.settings import Settings
from shared.runtime import service_main

if __name__ == "__main__":
    if sys.argv[1:2] == ["purge-personal-data"]:
        from services.intake.cli.purge import main as purge

        raise SystemExit(purge(sys.argv[2:], prog="python -m services.intake purge-personal-data"))
    service_main("python -m services.intake", Settings, parts, MODES)

"""Run intake: ``python -m services.intake {api|relay|all}``."""

from services.intake.app import MODES, parts
from services.intake.settings import Settings
from shared.runtime import service_main

if __name__ == "__main__":
    service_main("python -m services.intake", Settings, parts, MODES)

"""Run casework: ``python -m services.casework {api|worker|relay|all}``."""

from services.casework.app import MODES, parts
from services.casework.settings import Settings
from shared.runtime import service_main

if __name__ == "__main__":
    service_main("python -m services.casework", Settings, parts, MODES)

"""Run mediation: ``python -m services.mediation {api|worker|relay|all}``."""

from services.mediation.app import MODES, parts
from services.mediation.settings import Settings
from shared.runtime import service_main

if __name__ == "__main__":
    service_main("python -m services.mediation", Settings, parts, MODES)

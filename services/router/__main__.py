"""Run the router: ``python -m services.router {api|worker|relay|all}``."""

from services.router.app import MODES, parts
from services.router.settings import Settings
from shared.runtime import service_main

if __name__ == "__main__":
    service_main("python -m services.router", Settings, parts, MODES)

"""Run the console: ``python -m services.console api``."""

from services.console.app import MODES, parts
from services.console.settings import Settings
from shared.runtime import service_main

if __name__ == "__main__":
    service_main("python -m services.console", Settings, parts, MODES)

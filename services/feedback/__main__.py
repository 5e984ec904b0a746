"""Run feedback: ``python -m services.feedback {api|worker|relay|all}``."""

from services.feedback.app import MODES, parts
from services.feedback.settings import Settings
from shared.runtime import service_main

if __name__ == "__main__":
    service_main("python -m services.feedback", Settings, parts, MODES)

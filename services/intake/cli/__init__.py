"""Intake's command-line entry points: ``python -m services.intake.cli.<name>``."""

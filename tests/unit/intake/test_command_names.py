"""Intake's operator commands answer to the names they had before cli/ (issue 11's runbooks):
``python -m services.intake.keys`` and ``services.intake.purge``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("command", ["keys", "purge"])
def test_the_first_name_runs_the_command(command: str) -> None:
    helped = subprocess.run(
        [sys.executable, "-m", f"services.intake.{command}", "--help"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith(f"usage: python -m services.intake.cli.{command}")
    assert "--dry-run" in helped.stdout

"""The compose backup job runs the project's own backup script into a named volume, only when asked."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_backup_job_is_a_profile_with_its_own_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    backup = compose["services"]["backup"]
    assert backup["profiles"] == ["backup"], "`docker compose up` must not run it"
    assert "postgres-backups" in compose["volumes"]
    mounts = dict(volume.split(":", 2)[:2] for volume in backup["volumes"])
    assert mounts["postgres-backups"] == backup["environment"]["GRIEVANCE_BACKUP_DIR"]
    script_dir = mounts["./deploy/local"]
    [script] = backup["command"]
    assert script.startswith(script_dir + "/")
    on_disk = ROOT / "deploy" / "local" / script.removeprefix(script_dir + "/")
    assert on_disk.is_file() and os.access(on_disk, os.X_OK)
    assert backup["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "@postgres:5432/grievance" in backup["environment"]["GRIEVANCE_DATABASE_URL"]

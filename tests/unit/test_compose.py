"""docker-compose.yml is validated by Debian's docker-compose (no engine needed) and keeps the
operators' promises: every service's parts, healthchecks, start order, required secrets."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "POSTGRES_PASSWORD": "compose-test-password",
    "JWT_SECRET": "compose-test-jwt-secret-0123456789abcdef",
    "PII_ENCRYPTION_KEY": "Y29tcG9zZS10ZXN0LWVuY3J5cHRpb24ta2V5LTMyYiE=",
    "PII_PSEUDONYM_KEY": "Y29tcG9zZS10ZXN0LXBzZXVkb255bS1rZXktMzJieXQ=",
    "MINYI_WEBHOOK_SECRET": "whsec_Y29tcG9zZS10ZXN0LXdlYmhvb2s=",
    "MINYI_OUTBOUND_WEBHOOK_SECRET": "whsec_Y29tcG9zZS10ZXN0LW91dGJvdW5k",
    "GRAFANA_ADMIN_PASSWORD": "compose-test-grafana-password",
    "KAFKA_ADMIN_PASSWORD": "compose-test-kafka-admin",
    "KAFKA_INTAKE_PASSWORD": "compose-test-kafka-intake",
    "KAFKA_ROUTER_PASSWORD": "compose-test-kafka-router",
    "KAFKA_CASEWORK_PASSWORD": "compose-test-kafka-casework",
    "KAFKA_MEDIATION_PASSWORD": "compose-test-kafka-mediation",
    "KAFKA_FEEDBACK_PASSWORD": "compose-test-kafka-feedback",
}


def compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose (Debian package) is installed by deploy/local/bootstrap.sh"
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=ROOT,
        check=False,
    )


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    result = compose("config", env=SECRETS)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = yaml.safe_load(result.stdout)
    return parsed


def test_config_is_valid(config: dict[str, Any]) -> None:
    assert {"kafka", "postgres", "topics", "migrations"} <= set(config["services"])


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_missing_secret_is_refused(missing: str) -> None:
    env = {k: v for k, v in SECRETS.items() if k != missing}
    result = compose("config", "-q", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_kafka_runs_in_kraft_mode_without_auto_create(config: dict[str, Any]) -> None:
    kafka = config["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert str(kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]).lower() == "false"
    assert "healthcheck" in kafka and "healthcheck" in config["services"]["postgres"]


def test_every_service_part_is_deployed_healthy_and_ordered(config: dict[str, Any]) -> None:
    services = config["services"]
    for name in sorted(p.parent.name for p in (ROOT / "services").glob("*/__main__.py")):
        parts = {
            s: spec
            for s, spec in services.items()
            if spec.get("command", [None, None, ""])[2:3] == [f"services.{name}"]
        }
        modes = {spec["command"][3] for spec in parts.values()}
        assert "api" in modes, f"{name}: {modes}"
        # A relay publishes a service's outbox: only a service whose schema has one needs it
        # (the console's schema holds accounts and sessions, no outbox).
        migrations = (ROOT / "services" / name).glob("migrations/versions/*.py")
        if any("create_messaging_tables" in p.read_text() for p in migrations):
            assert "relay" in modes, f"{name}: {modes}"
        for service_name, spec in parts.items():
            needs = spec["depends_on"]
            assert needs["migrations"]["condition"] == "service_completed_successfully", service_name
            assert needs["topics"]["condition"] == "service_completed_successfully", service_name
            assert needs["kafka"]["condition"] == "service_healthy", service_name
            assert needs["postgres"]["condition"] == "service_healthy", service_name
            if spec["command"][3] == "api":
                assert "healthcheck" in spec and "readyz" in " ".join(spec["healthcheck"]["test"]), service_name
            assert spec["environment"]["GRIEVANCE_ENVIRONMENT"] == "production"


def test_local_scripts_and_compose_agree_on_service_ports(config: dict[str, Any]) -> None:
    services_sh = (ROOT / "deploy" / "local" / "services.sh").read_text()
    for name, spec in config["services"].items():
        if name.endswith("-api"):
            service = name.removesuffix("-api")
            published = (
                spec["ports"][0]["published"]
                if isinstance(spec["ports"][0], dict)
                else str(spec["ports"][0]).split(":")[0]
            )
            assert f"{service}:{published}" in services_sh, f"{service} port differs from services.sh"

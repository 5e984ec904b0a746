"""Compose runs Kafka with authentication and ACLs, and every service part as its own principal."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from shared.kafka.acls import SERVICES
from tests.unit.test_compose import SECRETS, compose


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    result = compose("config", env=SECRETS)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = yaml.safe_load(result.stdout)
    return parsed


def test_the_broker_has_no_unauthenticated_listener_and_denies_by_default(config: dict[str, Any]) -> None:
    env = config["services"]["kafka"]["environment"]
    protocols = {entry.split(":")[1] for entry in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")}
    assert protocols == {"SASL_PLAINTEXT"}
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert env["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")
    assert SECRETS["KAFKA_ADMIN_PASSWORD"] in env["KAFKA_LISTENER_NAME_INTERNAL_PLAIN_SASL_JAAS_CONFIG"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_part_authenticates_as_its_own_principal(config: dict[str, Any], service: str) -> None:
    parts = {name: spec for name, spec in config["services"].items() if name.startswith(f"{service}-")}
    assert parts
    for spec in parts.values():
        env = spec["environment"]
        assert env["GRIEVANCE_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert env[f"{service.upper()}_KAFKA_SASL_USERNAME"] == service
        assert env[f"{service.upper()}_KAFKA_SASL_PASSWORD"] == SECRETS[f"KAFKA_{service.upper()}_PASSWORD"]
        assert "kafka-principals" in spec["depends_on"]

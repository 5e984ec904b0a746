"""Kafka security settings: production refuses an unauthenticated client, every client gets the same
SASL arguments, SCRAM salting matches RFC 7677, and consumers believe only a topic's producers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from typing import TypedDict

import pytest
from pydantic import ValidationError

from shared.events import topics
from shared.events.envelope import service_source
from shared.kafka.admin import catalogue
from shared.kafka.scram import salted_password
from shared.kafka.security import KafkaCredentialsMissing, client_kwargs
from shared.kafka.sources import UntrustedSource, check_source, trusted_sources
from shared.runtime import Infrastructure
from shared.settings import ServiceSettings


class _ProductionSettings(TypedDict):
    """The production fields every test here shares; a TypedDict so ``**`` unpacks typed keywords."""

    environment: str
    jwt_secret: str
    database_url: str


PRODUCTION: _ProductionSettings = {
    "environment": "production",
    "jwt_secret": "a-production-secret-that-is-long-enough-0123456789",
    "database_url": "postgresql+asyncpg://grievance:s3cret@db:5432/grievance",
}


@pytest.fixture(autouse=True)
def _no_kafka_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """deploy/local/env.sh exports the admin's credentials; these tests set their own."""
    for name in ("PROTOCOL", "MECHANISM", "USERNAME", "PASSWORD", "CAFILE"):
        for var in (f"GRIEVANCE_KAFKA_SECURITY_{name}", f"GRIEVANCE_KAFKA_SASL_{name}", f"GRIEVANCE_KAFKA_SSL_{name}"):
            monkeypatch.delenv(var, raising=False)


def test_production_refuses_plaintext_and_missing_credentials() -> None:
    with pytest.raises(ValidationError, match="PLAINTEXT"):
        ServiceSettings(**PRODUCTION, kafka_security_protocol="PLAINTEXT")
    with pytest.raises(ValidationError, match="kafka_sasl_username"):
        ServiceSettings(**PRODUCTION, kafka_security_protocol="SASL_SSL")
    ok = ServiceSettings(**PRODUCTION, kafka_sasl_username="router", kafka_sasl_password="pw")
    assert ok.kafka_security_protocol.value == "SASL_PLAINTEXT"


def test_client_kwargs_carry_the_principal_and_tls_trust() -> None:
    settings = ServiceSettings(
        kafka_bootstrap_servers="k:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="router",
        kafka_sasl_password="pw",
    )
    kwargs = client_kwargs(settings)
    assert kwargs["bootstrap_servers"] == "k:9093"
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert (kwargs["sasl_mechanism"], kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == (
        "SCRAM-SHA-512",
        "router",
        "pw",
    )
    assert kwargs["ssl_context"].check_hostname


def test_a_sasl_client_without_credentials_is_refused_before_connecting() -> None:
    with pytest.raises(KafkaCredentialsMissing, match="KAFKA_SASL_USERNAME"):
        client_kwargs(ServiceSettings(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username=None))
    plain = client_kwargs(ServiceSettings(kafka_security_protocol="PLAINTEXT"))
    assert "sasl_mechanism" not in plain


def test_salted_password_gives_the_rfc_7677_client_proof() -> None:
    # RFC 7677 section 3: user "user", password "pencil", SCRAM-SHA-256.
    salt = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
    salted = salted_password("pencil", salt, mechanism="SCRAM-SHA-256", iterations=4096)
    nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    auth = f"n=user,r=rOprNGfwEbeRWgbNEkqO,r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r={nonce}"
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    signature = hmac.new(hashlib.sha256(client_key).digest(), auth.encode(), hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
    assert base64.b64encode(proof).decode() == "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="


def test_consumers_believe_only_the_producers_of_a_topic() -> None:
    allowed = trusted_sources(catalogue(), [topics.GRIEVANCE_RECEIVED, topics.GRIEVANCE_STATUS, "not.a.topic"])
    check_source(allowed, topics.GRIEVANCE_RECEIVED, service_source("intake"))
    check_source(allowed, topics.GRIEVANCE_STATUS, service_source("casework"))
    with pytest.raises(UntrustedSource, match=r"not a producer of grievance\.received\.v1"):
        check_source(allowed, topics.GRIEVANCE_RECEIVED, service_source("feedback"))
    with pytest.raises(UntrustedSource):
        check_source(allowed, topics.GRIEVANCE_STATUS, "/tests/forger")
    with pytest.raises(UntrustedSource, match="not in the catalogue"):
        check_source(allowed, "not.a.topic", service_source("intake"))


def test_services_emit_the_source_their_topics_expect() -> None:
    class Router(ServiceSettings):
        service_name = "router"

    infra = Infrastructure.build(Router(), tables=None)  # type: ignore[arg-type]
    try:
        assert infra.uow().source == service_source("router")
    finally:
        asyncio.run(infra.engine.dispose())

"""Fail-fast settings and staff JWTs."""

from datetime import UTC, datetime, timedelta
from typing import TypedDict

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from services.intake.settings import Settings as IntakeSettings
from shared.auth import TokenError, issue_token, verify_token
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings


class _StrongSecrets(TypedDict):
    """Production-grade values; a TypedDict so ``**STRONG`` unpacks typed keywords."""

    jwt_secret: str
    database_url: str
    kafka_sasl_username: str
    kafka_sasl_password: str


STRONG: _StrongSecrets = {
    "jwt_secret": "x" * 48,
    "database_url": "postgresql+asyncpg://app:strong@db:5432/grievance",
    "kafka_sasl_username": "intake",
    "kafka_sasl_password": "y" * 48,
}


@pytest.fixture(autouse=True)
def _no_platform_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings must come from these tests, not from the shell that runs them."""
    import os

    for name in os.environ:
        if name.startswith(("GRIEVANCE_", "INTAKE_")):
            monkeypatch.delenv(name)


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(ValidationError, match="jwt_secret"):
        ServiceSettings(environment="production", database_url=STRONG["database_url"])
    with pytest.raises(ValidationError, match="database_url"):
        ServiceSettings(environment="production", jwt_secret=STRONG["jwt_secret"])
    with pytest.raises(ValidationError, match="database_url"):
        ServiceSettings(
            environment="production",
            jwt_secret=STRONG["jwt_secret"],
            database_url="postgresql+asyncpg://grievance:grievance@db:5432/grievance",
        )
    assert ServiceSettings(environment="production", **STRONG).environment == "production"


def test_production_intake_needs_its_own_keys() -> None:
    with pytest.raises(ValidationError, match="pii_encryption_key"):
        IntakeSettings(environment="production", **STRONG)


def test_keys_must_be_32_bytes() -> None:
    with pytest.raises(ValidationError, match="32 bytes"):
        IntakeSettings(pii_encryption_key="c2hvcnQ=")


def test_service_prefix_wins_over_platform_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIEVANCE_KAFKA_BOOTSTRAP_SERVERS", "platform:9092")
    assert IntakeSettings().kafka_bootstrap_servers == "platform:9092"
    monkeypatch.setenv("INTAKE_KAFKA_BOOTSTRAP_SERVERS", "intake-only:9092")
    assert IntakeSettings().kafka_bootstrap_servers == "intake-only:9092"


def test_hs256_token_round_trip() -> None:
    settings = ServiceSettings()
    token = issue_token(settings, subject="officer-7", role=Role.department_officer, department="housing")
    principal = verify_token(settings, token)
    assert (principal.subject, principal.role, principal.department) == (
        "officer-7",
        Role.department_officer,
        "housing",
    )


def test_expired_and_foreign_tokens_are_refused() -> None:
    settings = ServiceSettings()
    old = issue_token(
        settings, subject="r", role=Role.reviewer, now=datetime.now(UTC) - timedelta(hours=9), ttl=timedelta(hours=8)
    )
    with pytest.raises(TokenError, match="expired"):
        verify_token(settings, old)
    forged = issue_token(ServiceSettings(jwt_secret="another-secret-" * 3), subject="r", role=Role.admin)
    with pytest.raises(TokenError, match="Signature"):
        verify_token(settings, forged)


def test_alg_none_is_refused() -> None:
    settings = ServiceSettings()
    claims = {
        "sub": "x",
        "role": "admin",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "exp": int((datetime.now(UTC) + timedelta(hours=1)).timestamp()),
    }
    # PyJWT's "none" algorithm takes an empty key as no key (its typed signature has no None).
    unsigned = jwt.encode(claims, key="", algorithm="none")
    with pytest.raises(TokenError):
        verify_token(settings, unsigned)


def test_department_roles_need_a_department() -> None:
    with pytest.raises(TokenError, match="department"):
        issue_token(ServiceSettings(), subject="m", role=Role.mediator)


def test_rs256_with_a_key_pair() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    signer = ServiceSettings(jwt_algorithm="RS256", jwt_private_key=private_pem, jwt_public_key=public_pem)
    verifier = ServiceSettings(jwt_algorithm="RS256", jwt_public_key=public_pem)
    token = issue_token(signer, subject="s", role=Role.supervisor)
    assert verify_token(verifier, token).role is Role.supervisor
    # An HS256 token signed with the public key as secret (key confusion) must not pass.
    confused = jwt.encode({"sub": "s", "role": "admin"}, "not-the-key-" * 4, algorithm="HS256")
    with pytest.raises(TokenError):
        verify_token(verifier, confused)

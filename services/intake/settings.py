"""Intake settings (env prefix ``INTAKE_``, falling back to ``GRIEVANCE_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from shared.pii import decode_key
from shared.settings import ServiceSettings

# Development keys (32 bytes, base64): refused in production by the base validator.
DEV_PII_ENCRYPTION_KEY = "ZGV2LW9ubHktcGlpLWVuY3J5cHRpb24ta2V5LTMyYiE="
DEV_PII_PSEUDONYM_KEY = "ZGV2LW9ubHktcGlpLXBzZXVkb255bS1rZXktMzJieXQ="
DEV_MINYI_WEBHOOK_SECRET = "whsec_ZGV2LW9ubHktbWlueWktd2ViaG9vay1zZWNyZXQ="  # noqa: S105


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "intake"
    secret_fields: ClassVar[tuple[str, ...]] = (
        "jwt_secret",
        "pii_encryption_key",
        "pii_pseudonym_key",
        "minyi_webhook_secret",
    )

    http_port: int = Field(default=8001, ge=1, le=65535)
    pii_encryption_key: SecretStr = SecretStr(DEV_PII_ENCRYPTION_KEY)
    pii_pseudonym_key: SecretStr = SecretStr(DEV_PII_PSEUDONYM_KEY)
    minyi_webhook_secret: SecretStr = SecretStr(DEV_MINYI_WEBHOOK_SECRET)
    tracking_prefix: str = Field(default="GM", pattern=r"^[A-Z]{2,4}$")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    submit_rate_limit: str = "20/minute"
    lookup_rate_limit: str = "120/minute"
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    cors_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8005", "http://localhost:8005"])

    @field_validator("pii_encryption_key", "pii_pseudonym_key")
    @classmethod
    def _is_32_byte_key(cls, value: SecretStr) -> SecretStr:
        decode_key(value.get_secret_value())
        return value

    @property
    def encryption_key(self) -> bytes:
        return decode_key(self.pii_encryption_key.get_secret_value())

    @property
    def pseudonym_key(self) -> bytes:
        return decode_key(self.pii_pseudonym_key.get_secret_value())

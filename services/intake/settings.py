"""Intake settings (env prefix ``INTAKE_``, falling back to ``GRIEVANCE_``)."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.pii import LEGACY_KEY_ID, FieldCipher, check_key_id, decode_key
from shared.settings import Environment, ServiceSettings

# Development keys (32 bytes, base64): refused in production by the base validator.
DEV_PII_ENCRYPTION_KEY = "ZGV2LW9ubHktcGlpLWVuY3J5cHRpb24ta2V5LTMyYiE="
DEV_PII_PSEUDONYM_KEY = "ZGV2LW9ubHktcGlpLXBzZXVkb255bS1rZXktMzJieXQ="
DEV_MINYI_WEBHOOK_SECRET = "whsec_ZGV2LW9ubHktbWlueWktd2ViaG9vay1zZWNyZXQ="  # noqa: S105


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "intake"
    # The personal-data keys are checked as key rings by _refuse_default_secrets below.
    secret_fields: ClassVar[tuple[str, ...]] = ("jwt_secret", "minyi_webhook_secret")

    http_port: int = Field(default=8001, ge=1, le=65535)
    # At most twenty connections, as the platform's 10 + 10 overflow, but all of them kept: every
    # filing also draws one for its rate limit, so a burst outgrows ten, and overflow connections
    # were closed on return and opened again by the next request (TLS attempt, SCRAM, type set-up).
    db_pool_size: int = Field(default=20, ge=1, le=200)
    db_max_overflow: int = Field(default=0, ge=0, le=200)
    pii_encryption_key: SecretStr = SecretStr(DEV_PII_ENCRYPTION_KEY)
    pii_pseudonym_key: SecretStr = SecretStr(DEV_PII_PSEUDONYM_KEY)
    # Key rotation (docs/operations.md): key id -> base64 key as a JSON object, and the id that new
    # ciphertexts / pseudonyms use. The single key above stays accepted as key id "1" when it is set
    # explicitly or when no ring is given, so systems from before rotation upgrade unchanged.
    pii_encryption_keys: dict[str, SecretStr] = Field(default_factory=dict)
    pii_encryption_key_id: str = LEGACY_KEY_ID
    pii_pseudonym_keys: dict[str, SecretStr] = Field(default_factory=dict)
    pii_pseudonym_key_id: str = LEGACY_KEY_ID
    minyi_webhook_secret: SecretStr = SecretStr(DEV_MINYI_WEBHOOK_SECRET)
    tracking_prefix: str = Field(default="GM", pattern=r"^[A-Z]{2,4}$")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    submit_rate_limit: str = "20/minute"
    # Open311 apps have their own allowance, so a busy app cannot use up the portal's (per client address).
    open311_submit_rate_limit: str = "10/minute"
    # Keys of the Open311 apps allowed to POST; empty means POST needs no api_key (as GET never does).
    open311_api_keys: list[SecretStr] = Field(default_factory=list)
    lookup_rate_limit: str = "120/minute"
    # Per sending address: the city platform posts from a few addresses and must fit its peak in
    # this; an unsigned flood from anywhere else is cut off before signatures are checked.
    minyi_webhook_rate_limit: str = "300/minute"
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    # Days a concluded case keeps the complainant's personal data after its last status; 0 keeps
    # it for ever (retention off). Three years by default: see docs/operations.md.
    personal_data_retention_days: int = Field(default=1095, ge=0)
    # How often the worker runs the purge, and how many cases one transaction anonymises.
    retention_interval_s: float = Field(default=24 * 3600, gt=0)
    retention_batch_size: int = Field(default=200, ge=1, le=10_000)
    cors_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8005", "http://localhost:8005"])

    @field_validator("pii_encryption_key", "pii_pseudonym_key")
    @classmethod
    def _is_32_byte_key(cls, value: SecretStr) -> SecretStr:
        decode_key(value.get_secret_value())
        return value

    @field_validator("pii_encryption_keys", "pii_pseudonym_keys")
    @classmethod
    def _are_32_byte_keys(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for key_id, key in value.items():
            check_key_id(key_id)
            decode_key(key.get_secret_value())
        return value

    @model_validator(mode="after")
    def _active_keys_exist(self) -> Settings:
        for name, ring, active in (
            ("pii_encryption_key_id", self.encryption_keys, self.pii_encryption_key_id),
            ("pii_pseudonym_key_id", self.pseudonym_keys, self.pii_pseudonym_key_id),
        ):
            if active not in ring:
                raise ValueError(f"{name} {active!r} is not among the configured keys {sorted(ring)}")
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        """The platform's checks, and no development key anywhere in production's key rings."""
        if self.environment is Environment.production:
            weak = [
                name
                for name, ring, dev in (
                    ("pii_encryption_key", self.encryption_keys, DEV_PII_ENCRYPTION_KEY),
                    ("pii_pseudonym_key", self.pseudonym_keys, DEV_PII_PSEUDONYM_KEY),
                )
                if decode_key(dev) in ring.values()
            ]
            if weak:
                raise ValueError(f"production refuses development defaults for: {', '.join(weak)}")
        # Same name as the platform's validator, which this replaces: run the platform's checks too.
        cast(Any, ServiceSettings._refuse_default_secrets)(self)
        return self

    def _ring(self, single: str, ring: dict[str, SecretStr]) -> dict[str, bytes]:
        keys = {key_id: decode_key(key.get_secret_value()) for key_id, key in ring.items()}
        # The single key is key id "1": always when no ring is given, else only when set explicitly
        # (an unset single key is the development default and must not creep into a ring).
        if not ring or single in self.model_fields_set:
            keys.setdefault(LEGACY_KEY_ID, decode_key(getattr(self, single).get_secret_value()))
        return keys

    @property
    def encryption_keys(self) -> dict[str, bytes]:
        """Every AES-GCM key by id: the active one encrypts, all of them decrypt."""
        return self._ring("pii_encryption_key", self.pii_encryption_keys)

    @property
    def pseudonym_keys(self) -> dict[str, bytes]:
        """Every pseudonym HMAC key by id: the active one makes the pseudonyms, the others the
        previous pseudonyms published during a rotation."""
        return self._ring("pii_pseudonym_key", self.pii_pseudonym_keys)

    @property
    def encryption_key(self) -> bytes:
        """The active encryption key."""
        return self.encryption_keys[self.pii_encryption_key_id]

    @property
    def pseudonym_key(self) -> bytes:
        """The active pseudonym key."""
        return self.pseudonym_keys[self.pii_pseudonym_key_id]

    @property
    def previous_pseudonym_keys(self) -> list[bytes]:
        """Pseudonym keys other than the active one, in key-id order: non-empty while rotating."""
        ring = self.pseudonym_keys
        return [ring[key_id] for key_id in sorted(ring) if key_id != self.pii_pseudonym_key_id]

    def cipher(self) -> FieldCipher:
        return FieldCipher(self.encryption_keys, active=self.pii_encryption_key_id)

"""Settings base shared by every service: one pydantic BaseSettings per process, built in the app factory."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url

# Development defaults: good enough on a laptop, refused anywhere else (see _refuse_default_secrets).
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789abcdef"  # noqa: S105
DEV_DATABASE_PASSWORD = "grievance"  # noqa: S105
DEV_DATABASE_URL = f"postgresql+asyncpg://grievance:{DEV_DATABASE_PASSWORD}@127.0.0.1:15432/grievance"


def _database_password(url: str) -> str | None:
    try:
        return make_url(url).password
    except ValueError:
        return None


class KafkaSecurityProtocol(StrEnum):
    plaintext = "PLAINTEXT"
    sasl_plaintext = "SASL_PLAINTEXT"
    sasl_ssl = "SASL_SSL"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ServiceSettings(BaseSettings):
    """Settings every process has. Subclasses set an env prefix such as ``INTAKE_``.

    A variable with the service prefix wins; otherwise the platform-wide ``GRIEVANCE_`` variable
    applies, so one ``GRIEVANCE_KAFKA_BOOTSTRAP_SERVERS`` serves all services while a busy service
    can still get its own ``ROUTER_DATABASE_URL``.
    """

    model_config = SettingsConfigDict(env_prefix="GRIEVANCE_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "platform"
    secret_fields: ClassVar[tuple[str, ...]] = ("jwt_secret",)

    environment: Environment = Environment.development
    database_url: SecretStr = SecretStr(DEV_DATABASE_URL)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    # How PostgreSQL compresses the large values this service writes (events in the outbox, texts,
    # decisions): lz4 takes a third of pglz's time (the router's batch write: 53 → 35 ms); empty
    # leaves it to the server's default_toast_compression (for a server built without lz4).
    db_toast_compression: Literal["lz4", "pglz", ""] = "lz4"

    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    topic_prefix: str = Field(default="", pattern=r"^[a-z0-9._-]*$")
    kafka_client_id: str | None = None
    kafka_replication_factor: int = Field(default=1, ge=1, le=5, description="3 on a multi-broker cluster")
    # SASL/SCRAM by default: a PLAINTEXT client is only for a broker without authentication
    # (refused in production). Each service has its own principal (ROUTER_KAFKA_SASL_USERNAME...).
    kafka_security_protocol: KafkaSecurityProtocol = KafkaSecurityProtocol.sasl_plaintext
    # PLAIN only for the admin on a broker's internal listener (compose); principals use SCRAM.
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = Field(default=None, description="CA bundle (PEM) that signed the broker's cert")

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    # Admission control (shared.admission): HTTP requests one API process handles at once; past
    # this, 503 + Retry-After at once. Requests beyond a few times the database pool only wait in
    # the pool's queue (30 s, then they fail anyway): with intake's 20 connections and 1.7 ms of
    # CPU per filing, 64 in flight is about 0.1 s of queue, and 32 busy clients (wrk) never reach
    # it. Low on purpose: a saturated process accepts new connections only about as fast as it
    # finishes requests, so most of an overload waits unseen in the kernel's accept queue and a
    # bound the process never reaches sheds nothing (docs/operations.md). 0: no bound.
    http_max_in_flight: int = Field(default=64, ge=0, le=100_000)
    # A shed request's Retry-After: time for a queue of http_max_in_flight to turn over a few times.
    http_shed_retry_after_s: int = Field(default=2, ge=1, le=300)
    # Workers and relays have no API: with a port set they serve /metrics and /healthz on it.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    public_base_url: str | None = None
    # Reverse proxies whose X-Forwarded-For is believed (shared.client_address); empty: none is.
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(default_factory=list)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_public_key: str | None = None
    jwt_private_key: SecretStr | None = None
    jwt_issuer: str = "guangming-grievance"
    jwt_audience: str = "grievance-platform"

    outbox_batch_size: int = Field(default=200, ge=1, le=5000)
    outbox_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    # After a NOTIFY, wait this long before publishing: a few milliseconds of latency per hop buy
    # batches of many transactions under load instead of a cycle per commit.
    outbox_linger_s: float = Field(default=0.005, ge=0, le=1)
    outbox_retention_days: int = Field(default=7, ge=1)
    outbox_publish_timeout_s: float = Field(default=30.0, gt=0, le=600)
    # Test-only fault injection: the relay SIGKILLs itself after Kafka acked a batch and before it
    # marks the rows sent, to prove that a crash there loses nothing and duplicates nothing.
    relay_fault_kill_after_publish: bool = False

    consumer_max_retries: int = Field(default=3, ge=0, le=20)
    consumer_retry_backoff_s: float = Field(default=0.2, ge=0, le=60)
    consumer_batch_size: int = Field(default=200, ge=1, le=5000)
    # A poll's records in one transaction (one inbox claim, one commit); off: one per event, as a
    # baseline for benchmarks or a way round a use case that cannot share its transaction.
    consumer_batch_transactions: bool = True
    # A poll that finds fewer records than a batch waits this long once for those right behind.
    consumer_linger_s: float = Field(default=0.01, ge=0, le=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        platform_env = EnvSettingsSource(settings_cls, env_prefix="GRIEVANCE_")
        return init_settings, env_settings, platform_env, dotenv_settings, file_secret_settings

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxy_list(cls, value: Any) -> Any:
        """Accept ``10.0.0.0/8,192.0.2.7`` as well as a JSON list from the environment."""
        if not isinstance(value, str):
            return value
        if value.lstrip().startswith("["):
            return json.loads(value)
        return [item.strip() for item in value.split(",") if item.strip()]

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> ServiceSettings:
        if self.environment is not Environment.production:
            return self
        defaults = {name: type(self).model_fields[name].default for name in self.secret_fields}
        weak = [name for name, default in defaults.items() if getattr(self, name) == default]
        if _database_password(self.database_url.get_secret_value()) in {None, "", DEV_DATABASE_PASSWORD}:
            weak.append("database_url")
        if weak:
            raise ValueError(f"production refuses development defaults for: {', '.join(sorted(weak))}")
        if self.jwt_algorithm == "RS256" and not self.jwt_public_key:
            raise ValueError("jwt_algorithm RS256 needs jwt_public_key")
        if self.kafka_security_protocol is KafkaSecurityProtocol.plaintext:
            raise ValueError("production refuses kafka_security_protocol PLAINTEXT (no authentication)")
        if not self.kafka_sasl_username or not self.kafka_sasl_password:
            raise ValueError("production needs kafka_sasl_username and kafka_sasl_password")
        return self

    @property
    def client_id(self) -> str:
        return self.kafka_client_id or f"grievance-{self.service_name}"

    def topic(self, logical_name: str) -> str:
        """The broker-side name of a topic: the optional prefix isolates test runs and tenants."""
        return f"{self.topic_prefix}{logical_name}"

    def public_settings(self) -> dict[str, Any]:
        """What /readyz and logs may show: no secrets."""
        return {
            "service": self.service_name,
            "environment": self.environment.value,
            "kafka": self.kafka_bootstrap_servers,
            "kafka_security": self.kafka_security_protocol.value,
            "kafka_principal": self.kafka_sasl_username,
            "topic_prefix": self.topic_prefix,
        }

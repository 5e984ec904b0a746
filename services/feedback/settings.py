"""Feedback settings (env prefix ``FEEDBACK_``, falling back to ``GRIEVANCE_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings
from shared.webhooks import SECRET_PREFIX

# Development secret for signing outbound 民意速办 webhooks: refused in production.
DEV_MINYI_OUTBOUND_SECRET = "whsec_ZGV2LW9ubHktbWlueWktb3V0Ym91bmQtc2VjcmV0IQ=="  # noqa: S105


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "feedback"
    secret_fields: ClassVar[tuple[str, ...]] = ("jwt_secret", "minyi_webhook_secret")

    http_port: int = Field(default=8005, ge=1, le=65535)
    # Where the citizen's browser reaches intake; injected into the portal page.
    intake_public_url: str = "http://127.0.0.1:8001"

    lookup_rate_limit: str = "120/minute"
    stream_rate_limit: str = "60/minute"
    action_rate_limit: str = "20/minute"

    # 《信访工作条例》§35: 30 days to ask for 复查 after a reply; the same window for 不满意 → 重办.
    review_window_days: int = Field(default=30, ge=1, le=365)

    sse_keepalive_s: float = Field(default=15.0, gt=0, le=300)
    sse_retry_ms: int = Field(default=3000, ge=100, le=600_000)
    sse_queue_size: int = Field(default=64, ge=1, le=10_000, description="events buffered per connection")
    sse_send_timeout_s: float = Field(default=10.0, gt=0, le=300, description="a client this slow is dropped")
    sse_max_streams: int = Field(default=20_000, ge=1, description="per process")
    sse_max_streams_per_grievance: int = Field(default=10, ge=1)
    sse_hold_unknown_s: float = Field(
        default=10.0,
        ge=0,
        le=60,
        description="a stream asked for before its grievance reached feedback waits this long for it, then 404",
    )
    listener_reconnect_s: float = Field(default=1.0, gt=0, le=60)

    minyi_webhook_url: AnyHttpUrl | None = None
    minyi_webhook_secret: SecretStr = SecretStr(DEV_MINYI_OUTBOUND_SECRET)
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    webhook_max_attempts: int = Field(default=10, ge=1, le=100)
    webhook_backoff_base_s: float = Field(default=2.0, gt=0, le=3600)
    webhook_backoff_max_s: float = Field(default=3600.0, gt=0, le=86_400)
    webhook_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    webhook_batch_size: int = Field(default=50, ge=1, le=1000)

    @field_validator("minyi_webhook_secret")
    @classmethod
    def _is_standard_webhooks_secret(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith(SECRET_PREFIX):
            raise ValueError(f"minyi_webhook_secret must start with {SECRET_PREFIX}")
        return value

    @field_validator("intake_public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

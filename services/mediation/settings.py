"""Mediation settings (env prefix ``MEDIATION_``, falling back to ``GRIEVANCE_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.mediation.domain.deadlines import TimeLimits
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEDIATION_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "mediation"

    http_port: int = Field(default=8004, ge=1, le=65535)

    # Time limits in calendar days, counted from the opening of the case. Common practice: people's
    # mediation within a month of acceptance, administrative mediation likewise, and pre-trial
    # court mediation (诉前调解) within 30 days; a bureau may set its own.
    time_limit_people_days: int = Field(default=30, ge=1, le=365)
    time_limit_administrative_days: int = Field(default=30, ge=1, le=365)
    time_limit_judicial_days: int = Field(default=30, ge=1, le=365)
    supervision_extension_days: int = Field(default=10, ge=1, le=90, description="new limit set by 督办")
    follow_up_grace_days: int = Field(default=3, ge=0, le=60, description="回访 this long after the deadline")
    reminder_lead_hours: float = Field(default=24, gt=0, le=24 * 14)

    scheduler_interval_s: float = Field(default=30.0, gt=0, le=3600)
    scheduler_batch_size: int = Field(default=100, ge=1, le=5000)

    # Data files; the packaged ones unless a bureau points at its own.
    type_rules_file: Path | None = None
    roster_file: Path | None = None

    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    document_rate_limit: str = "60/minute"

    @property
    def time_limits(self) -> TimeLimits:
        return TimeLimits(
            people=self.time_limit_people_days,
            administrative=self.time_limit_administrative_days,
            judicial=self.time_limit_judicial_days,
            supervision_extension=self.supervision_extension_days,
        )

    @property
    def document_base_url(self) -> str:
        """Where citizens fetch their documents (the public URL behind a proxy, if one is set)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{self.http_host}:{self.http_port}"

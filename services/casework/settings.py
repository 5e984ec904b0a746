"""Casework settings (env prefix ``CASEWORK_``, falling back to ``GRIEVANCE_``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.clock import Clock, OffsetClock, SystemClock
from shared.settings import Environment, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CASEWORK_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "casework"

    http_port: int = Field(default=8003, ge=1, le=65535)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    document_rate_limit: str = "60/minute"

    # The working-day calendar's data file; the packaged holidays_cn.yaml when unset.
    holiday_calendar_path: Path | None = None
    # A TrueType CJK font to embed in PDFs; Debian's fonts-wqy-zenhei is found without it.
    document_font_path: str | None = None

    # 预警: a running clock with this many working days or fewer left is flagged to its owner.
    near_due_working_days: int = Field(default=3, ge=0, le=30)
    scheduler_interval_s: float = Field(default=60.0, gt=0, le=3600)
    scheduler_batch_size: int = Field(default=200, ge=1, le=5000)

    # Who answers 复查 (§35: the administrative organ above the handling one) and 复核 (§36), and
    # the catalog code of the office that records their opinions on the platform.
    review_body_name: str = "光明区人民政府"
    re_review_body_name: str = "深圳市人民政府"
    review_office_code: str = "petitions-bureau"
    bureau_name: str = "光明区信访局"

    # Test and rehearsal only: run the service's clock ahead of real time.
    clock_offset_s: float = 0.0

    @model_validator(mode="after")
    def _no_time_travel_in_production(self) -> Settings:
        if self.environment is Environment.production and self.clock_offset_s:
            raise ValueError("clock_offset_s is for tests and rehearsals, not production")
        return self

    def make_clock(self) -> Clock:
        if self.clock_offset_s:
            return OffsetClock(timedelta(seconds=self.clock_offset_s))
        return SystemClock()

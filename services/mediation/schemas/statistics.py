"""Response model of the mediation statistics (docs/statistics.md)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.assistance import AssistanceStatistics


class CountsRead(BaseModel):
    total: int
    open: int
    agreed: int
    failed: int
    refused: int
    withdrawn: int
    success_rate: float | None


class StatisticsRead(BaseModel):
    scope: str = Field(description="all, or the office the caller works for")
    since: datetime | None = Field(description="cases opened from (inclusive, Asia/Shanghai); null: the beginning")
    until: datetime | None = Field(description="cases opened before (exclusive, Asia/Shanghai); null: now")
    overall: CountsRead
    median_duration_days: float | None
    by_type: dict[str, CountsRead]
    by_street: dict[str, CountsRead]
    by_dispute_kind: dict[str, CountsRead]
    assistance: AssistanceStatistics | None = Field(
        default=None, description="assistance referrals (§37) made by mediators in the window, by referral date"
    )

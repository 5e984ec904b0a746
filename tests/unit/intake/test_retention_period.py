"""The retention period: when a concluded case becomes due for the purge, and 0 turning it off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.domain.retention import retention_cutoff
from services.intake.settings import Settings

NOW = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)


def test_the_default_keeps_personal_data_three_years_after_the_last_status() -> None:
    settings = Settings()
    assert settings.personal_data_retention_days == 1095
    assert retention_cutoff(settings.personal_data_retention_days, NOW) == NOW - timedelta(days=1095)


def test_a_period_of_zero_turns_retention_off() -> None:
    assert retention_cutoff(Settings(personal_data_retention_days=0).personal_data_retention_days, NOW) is None


@pytest.mark.parametrize("field", ["personal_data_retention_days", "retention_batch_size", "retention_interval_s"])
def test_negative_settings_are_refused(field: str) -> None:
    negative: dict[str, Any] = {field: -1}
    with pytest.raises(ValidationError):
        Settings(**negative)

"""The overdue-clocks gauge counts running statutory clocks past their due day, per department."""

from __future__ import annotations

from datetime import timedelta

from services.casework.metrics import OVERDUE_CLOCKS, refresh_overdue
from tests.integration.casework.conftest import START, Casework, hand_off, handoff


def overdue(department: str) -> float:
    return float(OVERDUE_CLOCKS.labels(department)._value.get())


async def test_overdue_gauge_follows_the_clock(casework: Casework) -> None:
    casework.clock.set(START)
    filed = handoff(lead="environment", co=())
    await hand_off(casework.namespace, filed)
    await casework.wait_for_case(filed.grievance_id, "environment")

    await refresh_overdue(casework.infra, casework.clock)
    assert overdue("environment") == 0

    casework.clock.advance(timedelta(days=40))  # far past the 15-day and 5-working-day clocks
    await refresh_overdue(casework.infra, casework.clock)
    assert overdue("environment") >= 1

    assert ("culture-tourism-sports",) not in {labels for labels in OVERDUE_CLOCKS._metrics}

"""Casework metrics (DESIGN §8): running statutory clocks past their due day, per department.

Computed from the database by the API process (which serves /metrics), so the figure is right
however many workers run.
"""

from __future__ import annotations

from functools import partial

from prometheus_client import Gauge

from services.casework.domain.calendar import local_date
from services.casework.repositories import CaseworkUnitOfWork
from shared.clock import Clock
from shared.periodic import PeriodicPart
from shared.runtime import Infrastructure

OVERDUE_CLOCKS = Gauge(
    "casework_overdue_clocks", "Running statutory clocks past their due day, by owning department.", ["department"]
)


async def refresh_overdue(infra: Infrastructure, clock: Clock) -> None:
    async with CaseworkUnitOfWork.of(infra.uow()) as uow:
        counts = await uow.statistics.overdue_by_owner(local_date(clock.now()))
    OVERDUE_CLOCKS.clear()
    for department, count in counts.items():
        OVERDUE_CLOCKS.labels(department).set(count)


def overdue_gauge(infra: Infrastructure, clock: Clock, interval_s: float) -> PeriodicPart[None]:
    """Refreshes the gauge in the background; a database hiccup skips a round, not the API."""
    return PeriodicPart("casework_overdue_gauge", partial(refresh_overdue, infra, clock), interval=interval_s)

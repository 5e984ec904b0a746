"""Casework metrics (DESIGN §8): running statutory clocks past their due day, per department.

Computed from the database by the API process (which serves /metrics), so the figure is right
however many workers run.
"""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client import Gauge
from sqlalchemy import func, select

from services.casework import db
from services.casework.domain.calendar import local_date
from shared.clock import Clock
from shared.logging import get_logger
from shared.runtime import Infrastructure

log = get_logger(__name__)

OVERDUE_CLOCKS = Gauge(
    "casework_overdue_clocks", "Running statutory clocks past their due day, by owning department.", ["department"]
)


async def refresh_overdue(infra: Infrastructure, clock: Clock) -> None:
    d = db.deadline
    today = local_date(clock.now())
    async with infra.engine.connect() as conn:
        rows = await conn.execute(
            select(d.c.owner, func.count())
            .where(d.c.done_at.is_(None), d.c.cancelled.is_(False), d.c.paused_at.is_(None), d.c.due_on < today)
            .group_by(d.c.owner)
        )
        counts: dict[str, int] = {owner: count for owner, count in rows}
    OVERDUE_CLOCKS.clear()
    for department, count in counts.items():
        OVERDUE_CLOCKS.labels(department).set(count)


async def keep_refreshing(infra: Infrastructure, clock: Clock, interval_s: float) -> None:
    while True:
        with contextlib.suppress(Exception):  # a database hiccup must not end the API's lifespan
            await refresh_overdue(infra, clock)
        await asyncio.sleep(interval_s)

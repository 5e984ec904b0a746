"""The supervisors' figures over ratings and routing decisions, counted in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback import db
from services.feedback.domain.statistics import Grouping, RepeatCounts, SatisfactionFigures
from shared.events.vocabulary import Rating

_r, _g = db.rating, db.grievance
_GROUP_COLUMNS = {"track": _g.c.track, "department": _g.c.lead_department}


def _rating_columns() -> list[Any]:
    return [
        func.count().filter(_r.c.rating == Rating.satisfied.value).label("satisfied"),
        func.count().filter(_r.c.rating == Rating.basically_satisfied.value).label("basically_satisfied"),
        func.count().filter(_r.c.rating == Rating.dissatisfied.value).label("dissatisfied"),
        func.count().filter(_r.c.reopen_requested).label("reopen_requested"),
    ]


def _figures(row: Any) -> SatisfactionFigures:
    return SatisfactionFigures(
        satisfied=row.satisfied,
        basically_satisfied=row.basically_satisfied,
        dissatisfied=row.dissatisfied,
        reopen_requested=row.reopen_requested,
    )


def _within(column: Any, since: datetime | None, until: datetime | None) -> ColumnElement[bool]:
    conditions = [column.is_not(None)]
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return and_(*conditions)


class SatisfactionStatisticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ratings(self, *, since: datetime | None, until: datetime | None) -> SatisfactionFigures:
        """Ratings submitted in ``[since, until)``."""
        row = (
            await self._session.execute(select(*_rating_columns()).where(_within(_r.c.submitted_at, since, until)))
        ).one()
        return _figures(row)

    async def ratings_by(
        self, grouping: Grouping, *, since: datetime | None, until: datetime | None
    ) -> list[tuple[str | None, SatisfactionFigures]]:
        """The same per track or per lead department of the latest routing (None: not routed)."""
        column = _GROUP_COLUMNS[grouping]
        rows = await self._session.execute(
            select(column.label("key"), *_rating_columns())
            .select_from(_r.join(_g, _g.c.grievance_id == _r.c.grievance_id))
            .where(_within(_r.c.submitted_at, since, until))
            .group_by(column)
        )
        return [(row.key, _figures(row)) for row in rows]

    async def repeats(self, *, since: datetime | None, until: datetime | None) -> RepeatCounts:
        """Grievances routed in ``[since, until)`` and how many of them are 重复件."""
        row = (
            await self._session.execute(
                select(
                    func.count().label("routed"),
                    func.sum(case((_g.c.repeat_of.is_not(None), 1), else_=0)).label("repeats"),
                ).where(_within(_g.c.routed_at, since, until))
            )
        ).one()
        return RepeatCounts(routed=int(row.routed), repeats=int(row.repeats or 0))

"""Open311 requests (grievances filed on the Open311 channel) with their latest status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db
from services.intake.open311.catalog import SERVICE_CODES
from services.intake.open311.listing import MAX_RESULTS, RequestQuery, RequestRow
from shared.events.vocabulary import Channel

_G, _S = db.grievance, db.grievance_status


def _base() -> Select[Any]:
    return (
        select(
            _G.c.tracking_no,
            _G.c.category_hint,
            _G.c.received_at,
            _S.c.status,
            _S.c.closed,
            _S.c.actor,
            _S.c.message_zh,
            _S.c.due_at,
            _S.c.updated_at,
        )
        .select_from(_G.outerjoin(_S, _S.c.grievance_id == _G.c.id))
        .where(_G.c.channel == Channel.open311.value)
    )


def _row(found: Row[Any]) -> RequestRow:
    values = dict(found._mapping)
    return RequestRow(**{**values, "closed": bool(values["closed"])})


class Open311RequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, query: RequestQuery) -> list[RequestRow]:
        """The Open311 requests matching ``query``, newest first, at most MAX_RESULTS."""
        statement = _base()
        if query.ids:
            statement = statement.where(_G.c.tracking_no.in_(query.ids))
        else:
            if query.service_codes:
                statement = statement.where(
                    _G.c.category_hint.in_([SERVICE_CODES[code].value for code in query.service_codes])
                )
            if query.start is not None:
                statement = statement.where(_G.c.received_at >= query.start)
            if query.end is not None:
                statement = statement.where(_G.c.received_at <= query.end)
            if query.states == {"open"}:
                statement = statement.where(_S.c.closed.is_not(True))
            elif query.states == {"closed"}:
                statement = statement.where(_S.c.closed.is_(True))
        statement = statement.order_by(_G.c.received_at.desc(), _G.c.tracking_no.desc()).limit(MAX_RESULTS)
        return [_row(found) for found in (await self._session.execute(statement)).all()]

    async def get(self, tracking_no: str) -> RequestRow | None:
        found = (await self._session.execute(_base().where(_G.c.tracking_no == tracking_no))).first()
        return _row(found) if found is not None else None

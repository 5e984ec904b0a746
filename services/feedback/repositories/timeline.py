"""The citizen's timeline: entries numbered per grievance, appended with their NOTIFY and read by
sequence number (by the HTTP API and by every SSE stream)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback import db
from services.feedback.domain.labels import status_label
from services.feedback.schemas import TimelineEntryRead

_t = db.timeline_entry


def _append_statements() -> tuple[Any, Any]:
    """Built once, for the hot path (see grievances._next_sequence_statement)."""
    insert_entry = pg_insert(_t).values(
        {c.name: bindparam(c.name, type_=c.type) for c in _t.c if c.name != "recorded_at"}
    )
    # One round trip for the row and its NOTIFY; NOTIFY is delivered only if the transaction
    # commits, so a listener never hears of a row it cannot read yet.
    inserted = insert_entry.returning(_t.c.seq).cte("inserted")
    insert_and_notify = select(func.pg_notify(bindparam("channel"), bindparam("payload"))).select_from(inserted)
    return insert_entry, insert_and_notify


_INSERT_ENTRY, _INSERT_ENTRY_AND_NOTIFY = _append_statements()


def entry_read(row: Mapping[Any, Any]) -> TimelineEntryRead:
    return TimelineEntryRead(
        sequence=row["seq"],
        status=row["status"],
        status_label=status_label(row["status"]),
        stage=row["stage"],
        message_zh=row["message_zh"],
        actor=row["actor"],
        due_at=row["due_at"],
        documents=list(row["documents"] or []),
        detail=dict(row["detail"] or {}),
        occurred_at=row["occurred_at"],
    )


class TimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(
        self, *, grievance_id: str, entry: TimelineEntryRead, event_source: str, event_id: str, notice: str | None
    ) -> None:
        """Add the entry; ``notice`` (the payload for listening API processes) is sent on commit."""
        values: dict[str, Any] = {
            "grievance_id": grievance_id,
            "seq": entry.sequence,
            "event_source": event_source,
            "event_id": event_id,
            "status": entry.status,
            "stage": entry.stage,
            "message_zh": entry.message_zh,
            "actor": entry.actor,
            "detail": entry.detail,
            "documents": entry.documents,
            "due_at": entry.due_at,
            "occurred_at": entry.occurred_at,
        }
        if notice is None:
            await self._session.execute(_INSERT_ENTRY, values)
        else:
            await self._session.execute(
                _INSERT_ENTRY_AND_NOTIFY, {**values, "channel": db.TIMELINE_CHANNEL, "payload": notice}
            )

    async def after(self, grievance_id: str, *, after_seq: int, limit: int = 500) -> list[TimelineEntryRead]:
        """The entries numbered above ``after_seq``, in order, at most ``limit``."""
        result = await self._session.execute(
            select(_t).where(_t.c.grievance_id == grievance_id, _t.c.seq > after_seq).order_by(_t.c.seq).limit(limit)
        )
        return [entry_read(row._mapping) for row in result]

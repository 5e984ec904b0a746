"""Reading the timeline read model: the citizen's access check and entries by sequence number.

Used by the HTTP API and by every SSE stream; works on a plain connection so a stream holds no
database connection between reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.feedback import db
from services.feedback.domain import status_label
from services.feedback.schemas import TimelineEntryRead
from shared.pii import token_hash, tokens_match
from shared.problems import Problem

# Compared against when the number is unknown, so both refusals take the same time.
_NO_SUCH_HASH = token_hash("no such grievance")
NOT_FOUND_DETAIL = "未找到该编号的诉求，或查询码不正确。"


def not_found() -> Problem:
    """One answer for an unknown number and a wrong token: the number's existence is not revealed."""
    return Problem(404, slug="grievance-not-found", detail=NOT_FOUND_DETAIL)


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


async def grievance_for_citizen(
    db_conn: AsyncConnection | AsyncSession, *, tracking_no: str, token: str | None, for_update: bool = False
) -> Row[Any]:
    """The grievance row if ``token`` opens it; 404 otherwise (also before grievance.received)."""
    query = select(db.grievance).where(db.grievance.c.tracking_no == tracking_no)
    if for_update:
        query = query.with_for_update()
    row = (await db_conn.execute(query)).first()
    expected = row.tracking_token_hash if row is not None and row.tracking_token_hash else _NO_SUCH_HASH
    matched = tokens_match(token or "", expected)
    if row is None or row.tracking_token_hash is None or not matched:
        raise not_found()
    return row


async def entries_after(
    db_conn: AsyncConnection | AsyncSession, *, grievance_id: str, after_seq: int, limit: int = 500
) -> list[TimelineEntryRead]:
    t = db.timeline_entry
    result = await db_conn.execute(
        select(t).where(t.c.grievance_id == grievance_id, t.c.seq > after_seq).order_by(t.c.seq).limit(limit)
    )
    return [entry_read(row._mapping) for row in result]

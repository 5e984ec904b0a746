"""Inbox: the processed-event table that makes consumers idempotent.

A consumer claims ``(source, id)`` in the same transaction as the event's effect. A redelivered
event finds its claim already committed and is skipped; a failed effect rolls its claim back.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, Table, Text, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from shared.events.envelope import CloudEvent


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "processed_event",
        metadata,
        Column("source", Text, nullable=False),
        Column("event_id", Text, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("consumer", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("source", "event_id", "consumer"),
    )


@cache
def _claim_statement(table: Table) -> ReturningInsert[tuple[str]]:
    return insert(table).on_conflict_do_nothing().returning(table.c.event_id)


async def claim(session: AsyncSession, table: Table, event: CloudEvent, consumer: str) -> bool:
    """True when this consumer sees the event for the first time (and now owns its effect)."""
    values = {"source": event.source, "event_id": event.id, "event_type": event.type, "consumer": consumer}
    result = await session.execute(_claim_statement(table), values)
    return result.first() is not None

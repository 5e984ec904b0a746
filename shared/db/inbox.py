"""Inbox: the processed-event table that makes consumers idempotent.

A consumer claims ``(source, id)`` in the same transaction as the event's effect. A redelivered
event finds its claim already committed and is skipped; a failed effect rolls its claim back.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, Table, Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
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


@cache
def _claim_many_statement(table: Table) -> ReturningInsert[tuple[str, str]]:
    # Arrays unnested into rows: one statement whatever the batch size, so asyncpg prepares it
    # once (a multi-row VALUES list would be a new statement for every size).
    texts = ARRAY(Text)
    batch = (
        func.unnest(bindparam("sources", type_=texts), bindparam("ids", type_=texts), bindparam("types", type_=texts))
        .table_valued("source", "event_id", "event_type")
        .render_derived(name="batch")
    )
    rows = select(batch.c.source, batch.c.event_id, batch.c.event_type, bindparam("consumer", type_=Text))
    return (
        insert(table)
        .from_select(["source", "event_id", "event_type", "consumer"], rows)
        .on_conflict_do_nothing()
        .returning(table.c.source, table.c.event_id)
    )


def _values(event: CloudEvent, consumer: str) -> dict[str, str]:
    return {"source": event.source, "event_id": event.id, "event_type": event.type, "consumer": consumer}


async def claim(session: AsyncSession, table: Table, event: CloudEvent, consumer: str) -> bool:
    """True when this consumer sees the event for the first time (and now owns its effect)."""
    result = await session.execute(_claim_statement(table), _values(event, consumer))
    return result.first() is not None


async def claim_many(
    session: AsyncSession, table: Table, events: Sequence[CloudEvent], consumer: str
) -> set[tuple[str, str]]:
    """Claim a batch in one statement: the ``(source, id)`` of the events seen for the first time.

    An event twice in ``events`` is claimed once; the caller applies only its first occurrence."""
    distinct = list({(e.source, e.id): e for e in events}.values())
    if not distinct:
        return set()
    values = {
        "consumer": consumer,
        "sources": [e.source for e in distinct],
        "ids": [e.id for e in distinct],
        "types": [e.type for e in distinct],
    }
    result = await session.execute(_claim_many_statement(table), values)
    return {(row.source, row.event_id) for row in result.all()}

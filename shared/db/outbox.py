"""Transactional outbox: the event is a row written in the same transaction as the state change.

The relay (shared.db.relay) publishes rows to Kafka afterwards; nothing publishes directly, so a
state change and its event are committed together or not at all (no dual write).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import CloudEvent, to_kafka


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("topic", Text, nullable=False, comment="logical topic; the relay adds the prefix"),
        Column("key", Text, nullable=False),
        Column("event_id", Text, nullable=False, unique=True),
        Column("event_type", Text, nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        Index("ix_outbox_pending", "id", postgresql_where=text("published_at IS NULL")),
        Index("ix_outbox_pending_key", "key", "id", postgresql_where=text("published_at IS NULL")),
    )


def notify_channel(schema: str) -> str:
    return f"{schema}_outbox"


class OutboxWriter:
    """Adds events to the outbox inside the caller's transaction and wakes the relay on commit."""

    def __init__(self, session: AsyncSession, table: Table) -> None:
        self._session = session
        self._table = table
        self._notified = False
        self.events: list[tuple[str, CloudEvent]] = []

    async def add(self, topic: str, event: CloudEvent) -> None:
        record = to_kafka(event)
        await self._session.execute(
            insert(self._table).values(
                topic=topic,
                key=record.key.decode(),
                event_id=event.id,
                event_type=event.type,
                value=record.value,
                headers=[[name, raw.decode()] for name, raw in record.headers],
            )
        )
        self.events.append((topic, event))
        if not self._notified:
            # NOTIFY is transactional: the relay hears it only if this transaction commits.
            channel = notify_channel(str(self._table.schema))
            await self._session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})
            self._notified = True

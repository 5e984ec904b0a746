"""Transactional outbox: the event is a row written in the same transaction as the state change.

The relay (shared.db.relay) publishes rows to Kafka afterwards; nothing publishes directly, so a
state change and its event are committed together or not at all (no dual write).
"""

from __future__ import annotations

from functools import cache
from typing import TypedDict

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
    TextClause,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.unnest import column_arrays, unnest_rows
from shared.events.envelope import CloudEvent, attribute_headers, encode_data


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


# The columns a writer supplies and their types (shared.db.unnest), for every statement that
# inserts outbox rows: this writer's, and those that insert their own.
OUTBOX_COLUMNS = (("topic", "text"), ("key", "text"), ("event_id", "text"), ("event_type", "text"),
                  ("value", "bytea"), ("headers", "jsonb"))  # fmt: skip


@cache
def _insert_rows(table: Table) -> TextClause:
    """One INSERT for any number of rows (an executemany would be one per row in the server, each
    firing the relay's statement trigger). Ids follow the rows' order, the order they were
    published in (the relay publishes a key's events in id order)."""
    names, rows = unnest_rows(OUTBOX_COLUMNS)
    return text(f"INSERT INTO {table.fullname} ({names}) {rows} ORDER BY x.position")


def notify_channel(schema: str) -> str:
    return f"{schema}_outbox"


class OutboxRow(TypedDict):
    """The columns of one outbox row that a writer supplies (the rest are the relay's)."""

    topic: str
    key: str
    event_id: str
    event_type: str
    value: bytes
    headers: list[list[str]]


def outbox_row(topic: str, event: CloudEvent) -> OutboxRow:
    """``event`` as the outbox row the relay publishes to ``topic``: the one encoding of an event
    for every statement that writes outbox rows (this writer, and those that insert their own).
    The relay sends these as they are: the record ``to_kafka(event)`` makes, without encoding the
    headers only to decode them again."""
    return {
        "topic": topic,
        "key": event.subject,
        "event_id": event.id,
        "event_type": event.type,
        "value": encode_data(event.data),
        "headers": [[name, text] for name, text in attribute_headers(event)],
    }


class OutboxWriter:
    """Collects the events of one transaction and writes them as one multi-row INSERT just before
    commit; an AFTER INSERT trigger (shared.db.migration_ops) NOTIFYs the relay on commit."""

    def __init__(self, session: AsyncSession, table: Table) -> None:
        self._session = session
        self._table = table
        self._pending: list[OutboxRow] = []
        self.events: list[tuple[str, CloudEvent]] = []

    def add(self, topic: str, event: CloudEvent) -> None:
        self._pending.append(outbox_row(topic, event))
        self.events.append((topic, event))

    def take_pending(self) -> list[OutboxRow]:
        """The rows not written yet, handed to a statement that inserts them itself in this
        transaction (saving the round trip of ``flush``); this writer forgets them."""
        rows, self._pending = self._pending, []
        return rows

    async def flush(self) -> None:
        if self._pending:
            rows, self._pending = self._pending, []
            await self._session.execute(_insert_rows(self._table), column_arrays(OUTBOX_COLUMNS, rows))

"""Rate-limit counters in PostgreSQL, shared by every process of a service.

One row per (scope, client, fixed window) in the service schema's UNLOGGED ``rate_limit_counter``
table (shared.db.migration_ops.create_rate_limit_table). A hit is one statement, run in autocommit
so it costs one round trip and never joins the route's own transaction: it reads the previous
window's count and increments the current one only if the weighted sum stays within the limit, so
refused requests do not push a client's wait further out.

Every request of a limited route runs that statement, so it goes straight to the driver
(shared.db.driver): SQLAlchemy's execution layer cost about three times the driver's own work for
this one statement.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, PrimaryKeyConstraint, Table, Text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.driver import fetchrow_autocommit
from shared.sliding_window import SLACK, Count, WindowPosition

RATE_LIMIT_TABLE = "rate_limit_counter"
PURGE_EVERY_S = 60.0
PURGE_BATCH = 5000

# $1 scope, $2 client, $3 previous window's start, $4 this window's start, $5 its expiry,
# $6 the previous window's weight, $7 the ceiling; $8 now (purge only).
_HIT = """
WITH previous AS (
    SELECT coalesce(max(hits), 0) AS hits FROM {table}
    WHERE scope = $1 AND client = $2 AND window_start = CAST($3 AS timestamptz)
), current_before AS (
    SELECT coalesce(max(hits), 0) AS hits FROM {table}
    WHERE scope = $1 AND client = $2 AND window_start = CAST($4 AS timestamptz)
),{purge} hit AS (
    INSERT INTO {table} AS counter (scope, client, window_start, hits, expires_at)
    SELECT CAST($1 AS text), CAST($2 AS text), CAST($4 AS timestamptz), 1, CAST($5 AS timestamptz)
    FROM previous
    WHERE previous.hits * CAST($6 AS float8) + 1 <= CAST($7 AS float8)
    ON CONFLICT (scope, client, window_start) DO UPDATE SET hits = counter.hits + 1
    WHERE (SELECT hits FROM previous) * CAST($6 AS float8) + counter.hits + 1 <= CAST($7 AS float8)
    RETURNING counter.hits
)
SELECT (SELECT hits FROM previous), (SELECT hits FROM current_before), (SELECT hits FROM hit)
"""

# Expired windows go in small batches, skipping rows another process is purging, riding along
# with a hit now and then instead of costing a round trip or a scheduler of their own.
_PURGE = """
purged AS (
    DELETE FROM {table} WHERE (scope, client, window_start) IN (
        SELECT scope, client, window_start FROM {table}
        WHERE expires_at < CAST($8 AS timestamptz)
        LIMIT {batch} FOR UPDATE SKIP LOCKED
    )
),"""


def rate_limit_table(metadata: MetaData) -> Table:
    """The counter table as the service's metadata knows it (created by create_rate_limit_table),
    so ``alembic check`` compares it like every other table of the schema."""
    return Table(
        RATE_LIMIT_TABLE,
        metadata,
        Column("scope", Text, nullable=False),
        Column("client", Text, nullable=False),
        Column("window_start", DateTime(timezone=True), nullable=False),
        Column("hits", Integer, nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("scope", "client", "window_start", name="pk_rate_limit_counter"),
        prefixes=["UNLOGGED"],
    )


def _moment(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)


class PostgresCounterStore:
    """Sliding-window counters in one service schema; safe to share between requests and processes."""

    def __init__(self, engine: AsyncEngine, *, schema: str, purge_every_s: float = PURGE_EVERY_S) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
            raise ValueError(f"not a schema name: {schema!r}")
        # The service's own pool; outside a transaction each statement commits by itself.
        self._engine = engine
        table = f'"{schema}".{RATE_LIMIT_TABLE}'
        self._hit = _HIT.format(table=table, purge="")
        self._hit_and_purge = _HIT.format(table=table, purge=_PURGE.format(table=table, batch=PURGE_BATCH))
        self._purge_every_s = purge_every_s
        self._next_purge = time.monotonic() + purge_every_s

    async def hit(self, *, scope: str, client: str, limit: int, at: WindowPosition) -> Count:
        statement, extra = self._statement(at)
        previous, before, after = await fetchrow_autocommit(
            self._engine,
            statement,
            scope,
            client,
            _moment(at.previous_start),
            _moment(at.start),
            _moment(at.expires),
            # The same rule as shared.sliding_window.admits, evaluated where the row is locked.
            float(at.previous_weight),
            float(limit + SLACK),
            *extra,
        )
        if after is None:
            return Count(previous=previous, current=before, admitted=False)
        return Count(previous=previous, current=after, admitted=True)

    def _statement(self, at: WindowPosition) -> tuple[str, tuple[datetime, ...]]:
        if time.monotonic() < self._next_purge:
            return self._hit, ()
        self._next_purge = time.monotonic() + self._purge_every_s
        return self._hit_and_purge, (_moment(at.start + at.elapsed),)

"""What the driver really sends: every query of an engine's connections, BEGIN and COMMIT included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event

from shared.runtime import Infrastructure


@asynccontextmanager
async def round_trips_of(infra: Infrastructure) -> AsyncIterator[list[str]]:
    """Every query sent to PostgreSQL on ``infra``'s engine inside the block, BEGIN and COMMIT
    included. asyncpg's query logger, on each connection the pool hands out, sees what runs by
    text (transactions, and statements taken straight on the driver); SQLAlchemy runs its own
    statements as prepared statements, which that logger does not see, so they are taken from
    the engine's ``before_cursor_execute``. The order is not the order sent: asyncpg reports each
    query a moment after it ran."""
    sent: list[str] = []

    def statement(conn: Any, cursor: Any, query: str, *args: Any) -> None:
        sent.append(" ".join(query.split()))

    def log(record: Any) -> None:
        query = " ".join(record.query.split())
        # asyncpg's own look-ups, once per connection for a type it has not met on it yet.
        if "typeinfo_tree" not in query and "'jit'" not in query:
            sent.append(query)

    def on_checkout(dbapi_connection: Any, *args: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(log)

    def on_checkin(dbapi_connection: Any, *args: Any) -> None:
        dbapi_connection.driver_connection.remove_query_logger(log)

    engine, pool = infra.engine.sync_engine, infra.engine.sync_engine.pool
    event.listen(pool, "checkout", on_checkout)
    event.listen(pool, "checkin", on_checkin)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield sent
        await asyncio.sleep(0.05)  # the logger is called soon after each query, not within it
    finally:
        event.remove(pool, "checkout", on_checkout)
        event.remove(pool, "checkin", on_checkin)
        event.remove(engine, "before_cursor_execute", statement)

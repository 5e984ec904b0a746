"""One statement straight on the driver: asyncpg's prepared statement on a connection of the
service's SQLAlchemy pool, outside any transaction, so it commits by itself in one round trip.

For the few statements every request runs (the rate limit's counter, a filing that is its request's
only write): SQLAlchemy's session and execution layers cost several times the driver's own work
for one statement, and a transaction of one statement adds a BEGIN and a COMMIT round trip.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn


async def fetchrow_autocommit(engine: AsyncEngine, statement: str, *args: Any) -> Any:
    """The first row of ``statement`` (``$1``-style parameters ``args``), committed when it returns."""
    pooled = await engine.raw_connection()
    try:
        return await pooled.driver_connection.fetchrow(statement, *args)  # type: ignore[union-attr]
    except BaseException:
        # Broken by an outage or cut off mid-statement: the pool must not hand it out again.
        await greenlet_spawn(pooled.invalidate)
        raise
    finally:
        await greenlet_spawn(pooled.close)

"""Fresh plans for statements whose best plan changes as their tables grow.

asyncpg prepares every statement, and PostgreSQL gives a statement executed often a cached
*generic* plan, made once. One made while its tables were small (a new installation, a
benchmark's fresh database, the first minute after a migration) can join them with a nested
loop that scans one table whole for every row of the other, and keeps doing so as they grow,
until autovacuum's next ANALYZE invalidates it. Where that would cost a join of two growing
tables, the transaction plans each statement afresh, for its values and the tables as they are
now: a fraction of a millisecond per statement.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_PLAN_EACH_STATEMENT = text("SET LOCAL plan_cache_mode = force_custom_plan")


async def plan_each_statement(session: AsyncSession) -> None:
    """Until this transaction ends, plan each statement anew instead of using a cached plan."""
    await session.execute(_PLAN_EACH_STATEMENT)

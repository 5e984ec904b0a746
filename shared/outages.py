"""Telling "a dependency is unavailable right now" from "this request or event is wrong".

Consumers wait out an outage instead of dead-lettering the event (shared.kafka.consumer); the HTTP
layer answers 503 with Retry-After instead of 500 (shared.problems). Nothing was stored in either
case, so repeating the work later is safe.
"""

from __future__ import annotations

import asyncio

# SQLSTATE classes that mean "the database is not there right now", not "this event is bad":
# 08 connection exception, 57P operator intervention (shutdown, restart), 53 insufficient resources,
# and the transient 40001/40P01 (serialization failure, deadlock: retry the transaction).
_OUTAGE_SQLSTATES = ("08", "57P", "53", "40001", "40P01")


def is_infrastructure_outage(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database or network is unavailable."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (OSError, ConnectionError, TimeoutError, asyncio.TimeoutError)):
            return True
        if getattr(current, "connection_invalidated", False):
            return True
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_OUTAGE_SQLSTATES):
            return True
        if type(current).__name__ in {"ConnectionDoesNotExistError", "InterfaceError", "TimeoutError"}:
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False

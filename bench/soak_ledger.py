"""What the chaos soak counts at the end, read from the services' own tables and dead-letter topics.

A grievance has *settled* when the citizen's timeline (feedback's read model of
``grievance.status.v1``) shows where the automatic pipeline hands it to people: assigned to a
department, a mediation opened, the routing review queue, the legal track, or not accepted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import asyncpg  # type: ignore[import-untyped]

from shared.kafka.dlq import read_dead_letters
from shared.settings import ServiceSettings

SETTLED = ("assigned", "mediation_opened", "under_review", "transferred_legal", "not_accepted")
# Statuses that one grievance reaches at most once in a soak (nobody reopens or reassigns here).
ONCE = ("received", "classified", "assigned", "mediation_opened", "under_review", "transferred_legal")
GROUPS = ("intake", "router", "casework", "mediation", "feedback")


@dataclass
class Figures:
    settled: set[str] = field(default_factory=set)
    on_timeline: set[str] = field(default_factory=set)
    last_status: Counter[str] = field(default_factory=Counter)
    duplicated: dict[str, int] = field(default_factory=dict)
    dead_letters: dict[str, int] = field(default_factory=dict)


async def _connect(dsn: str) -> asyncpg.Connection:
    """A fresh connection per look (a connection does not survive a database kill)."""
    return await asyncpg.connect(dsn, timeout=10)


async def settled(dsn: str, grievance_ids: Iterable[str]) -> tuple[set[str], set[str]]:
    """(grievances settled on the timeline, grievances with any timeline entry) among ``grievance_ids``."""
    ids = list(grievance_ids)
    conn = await _connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT grievance_id, bool_or(status = ANY($2::text[])) AS settled FROM feedback.timeline_entry"
            " WHERE grievance_id = ANY($1::text[]) GROUP BY grievance_id",
            ids,
            list(SETTLED),
        )
    finally:
        await conn.close()
    return {r["grievance_id"] for r in rows if r["settled"]}, {r["grievance_id"] for r in rows}


async def last_statuses(dsn: str, grievance_ids: Iterable[str]) -> Counter[str]:
    conn = await _connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT coalesce(current_status, '(none)') AS s, count(*) AS n FROM feedback.grievance"
            " WHERE grievance_id = ANY($1::text[]) GROUP BY 1",
            list(grievance_ids),
        )
    finally:
        await conn.close()
    return Counter({r["s"]: r["n"] for r in rows})


async def duplicates(dsn: str) -> dict[str, int]:
    """Effects applied twice, per place: a second grievance for one submission, a second routing
    decision, a second mediation, a once-only status twice on a timeline under different event ids."""
    conn = await _connect(dsn)
    try:
        found = {
            "intake grievances": await conn.fetchval("SELECT count(*) - count(DISTINCT title) FROM intake.grievance"),
            "routing decisions": await conn.fetchval(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM router.routing_decision"
                " GROUP BY grievance_id) d"
            ),
            "mediations": await conn.fetchval(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM mediation.mediation"
                " GROUP BY grievance_id) d"
            ),
            "timeline statuses": await conn.fetchval(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM feedback.timeline_entry"
                " WHERE status = ANY($1::text[]) GROUP BY grievance_id, status) d",
                list(ONCE),
            ),
        }
    finally:
        await conn.close()
    return {place: int(n) for place, n in found.items()}


async def dead_letters(settings: ServiceSettings) -> dict[str, int]:
    """Records in every consumer group's dead-letter topic (a plain reader, the namespace's credentials)."""
    found: dict[str, int] = {}
    for group in GROUPS:
        consumer, letters = await read_dead_letters(settings, group)
        await consumer.stop()
        found[group] = len(letters)
    return found

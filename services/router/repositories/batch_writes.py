"""A routed batch's writes in one statement: its first decisions, their history, its review items
and its outbox rows (one round trip at commit instead of one per table).

A consumer batch defers these rows (handlers/batch.py) and its commit hands them here. Each table
gets its column values as arrays, ``unnest`` turns them back into rows, and the INSERTs are data-
modifying CTEs of one statement, so they succeed or fail together with the transaction. The
outbox's ids follow the order its rows were published in (the relay publishes a key's events in
id order), and its statement trigger wakes the relay once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.router import db
from shared.db.outbox import OUTBOX_COLUMNS, OutboxRow
from shared.db.unnest import column_arrays, json_text, unnest_rows

# (column, its type), for shared.db.unnest: each table's rows travel as one array per column.
_GRIEVANCE = (("id", "text"), ("tracking_no", "text"), ("received", "jsonb"), ("title", "text"),
              ("content", "text"), ("street", "text"), ("community", "text"), ("phone_pseudonym", "text"),
              ("id_card_pseudonym", "text"), ("received_at", "timestamptz"), ("revision", "int"),
              ("repeat_of", "text"), ("cluster_id", "text"), ("alerted_at", "timestamptz"), ("state", "text"),
              ("track", "text"), ("area", "text"), ("category", "text"), ("item", "text"),
              ("model_version", "text"), ("decision", "jsonb"))  # fmt: skip
_HISTORY = (("grievance_id", "text"), ("revision", "int"), ("decided_by", "text"), ("decision", "jsonb"),
            ("category", "text"), ("model_version", "text"))  # fmt: skip
_REVIEW = (("id", "text"), ("grievance_id", "text"), ("revision", "int"), ("reason", "text"),
           ("reason_detail", "text"), ("proposed", "jsonb"), ("confidence", "float8"), ("urgent", "boolean"),
           ("status", "text"), ("created_at", "timestamptz"))  # fmt: skip
_TABLES = {"g": _GRIEVANCE, "h": _HISTORY, "r": _REVIEW, "o": OUTBOX_COLUMNS}


def _statement() -> Any:
    g, h, r, o = (unnest_rows(columns, prefix=f"{prefix}_") for prefix, columns in _TABLES.items())
    return text(
        f"""
WITH routed AS (
    INSERT INTO {db.grievance.fullname} ({g[0]}) {g[1]}
    ON CONFLICT DO NOTHING
    RETURNING id
), history AS (
    INSERT INTO {db.routing_decision.fullname} ({h[0]}) {h[1]} ORDER BY x.position
), reviews AS (
    INSERT INTO {db.review_item.fullname} ({r[0]}) {r[1]}
), published AS (
    INSERT INTO {db.outbox.fullname} ({o[0]}) {o[1]}
    -- Outbox ids follow this order, and the relay publishes a key's events in id order.
    ORDER BY x.position
)
SELECT count(*) FROM routed
"""  # noqa: S608 - only the router's own table and column names are formatted in
    )


_WRITE = _statement()


def as_stored(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its models (the JSON columns hold them until written) as plain JSON values, for
    a repository's own statement: SQLAlchemy's JSONB columns take those."""
    return {name: v.model_dump(mode="json") if isinstance(v, BaseModel) else v for name, v in row.items()}


class _Json:
    """JSON text of the rows' values, each model once: a decision is the grievance's current one,
    its history's first and a review item's proposal."""

    def __init__(self) -> None:
        self._models: dict[int, str] = {}

    def __call__(self, value: Any) -> str | None:
        if isinstance(value, BaseModel):
            found = self._models.get(id(value))  # the rows hold every model until the write ends
            if found is None:
                found = self._models[id(value)] = value.model_dump_json()
            return found
        return json_text(value)


async def write_batch(
    session: AsyncSession,
    *,
    grievances: Sequence[dict[str, Any]],
    history: Sequence[dict[str, Any]],
    reviews: Sequence[dict[str, Any]],
    outbox: Sequence[OutboxRow],
) -> int:
    """Insert all the rows; how many of ``grievances`` were new (the others were routed meanwhile)."""
    encode = _Json()
    values = {
        **column_arrays(_GRIEVANCE, grievances, prefix="g_", encode=encode),
        **column_arrays(_HISTORY, history, prefix="h_", encode=encode),
        **column_arrays(_REVIEW, reviews, prefix="r_", encode=encode),
        **column_arrays(OUTBOX_COLUMNS, outbox, prefix="o_", encode=encode),
    }
    inserted = await session.scalar(_WRITE, values)
    return int(inserted or 0)

"""The citizen's timeline: entries numbered per grievance, appended with their NOTIFY and read by
sequence number (by the HTTP API and by every SSE stream).

One event per transaction, an entry is one statement with its NOTIFY. In a consumer batch
(``defer``) the entries wait in memory and ``flush`` inserts them all, with their NOTIFYs in
the same order, in one statement. A grievance becoming known is announced the same way, with a
NOTIFY of its own (stream.notices), for the streams waiting for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Integer, Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback import db
from services.feedback.domain.labels import status_label
from services.feedback.repositories import batch_sql
from services.feedback.schemas import TimelineEntryRead
from services.feedback.stream.notices import encode_known

_t = db.timeline_entry


def _append_statements() -> tuple[Any, Any]:
    """Built once, for the hot path (see grievances._next_sequence_statement)."""
    insert_entry = pg_insert(_t).values(
        {c.name: bindparam(c.name, type_=c.type) for c in _t.c if c.name != "recorded_at"}
    )
    # One round trip for the row and its NOTIFY; NOTIFY is delivered only if the transaction
    # commits, so a listener never hears of a row it cannot read yet.
    inserted = insert_entry.returning(_t.c.seq).cte("inserted")
    insert_and_notify = select(func.pg_notify(bindparam("channel"), bindparam("payload"))).select_from(inserted)
    return insert_entry, insert_and_notify


def _notices() -> Any:
    """The ``payloads`` array as rows, in array order."""
    return func.unnest(bindparam("payloads", type_=ARRAY(Text))).table_valued("payload").render_derived(name="notice")


def _append_many_statement() -> Any:
    """The batch's entries, then a NOTIFY per payload in array order: the payloads are a separate
    array because not every entry has one (a grievance nobody may open yet)."""
    names = [c.name for c in _t.c if c.name != "recorded_at"]
    inserted = batch_sql.insert_rows(_t, names).returning(_t.c.seq).cte("inserted")
    notices = _notices()
    # unnest yields the payloads in array order, and each row is notified as it is produced.
    return select(func.pg_notify(bindparam("channel"), notices.c.payload)).select_from(notices).add_cte(inserted)


_INSERT_ENTRY, _INSERT_ENTRY_AND_NOTIFY = _append_statements()
_NOTIFY_ALL = select(func.pg_notify(bindparam("channel"), _notices().c.payload))
_INSERT_ENTRIES_AND_NOTIFY = _append_many_statement()
_JSONB = ("detail", "documents")
# Every stream's replay and catch-up, and every timeline read.
_ENTRIES_AFTER = (
    select(_t)
    .where(_t.c.grievance_id == bindparam("grievance_id"), _t.c.seq > bindparam("after_seq"))
    .order_by(_t.c.seq)
    .limit(bindparam("limit", type_=Integer))
)


def entry_read(row: Mapping[Any, Any]) -> TimelineEntryRead:
    return TimelineEntryRead(
        sequence=row["seq"],
        status=row["status"],
        status_label=status_label(row["status"]),
        stage=row["stage"],
        message_zh=row["message_zh"],
        actor=row["actor"],
        due_at=row["due_at"],
        documents=list(row["documents"] or []),
        detail=dict(row["detail"] or {}),
        occurred_at=row["occurred_at"],
    )


class TimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # A consumer batch's entries (row values, notice) waiting for flush; None: write at once.
        self._deferred: list[tuple[dict[str, Any], TimelineEntryRead, str | None]] | None = None
        # A consumer batch's "known" notices, sent with its entries' at flush.
        self._announcements: list[str] = []

    def defer(self) -> None:
        """Keep appended entries in memory until ``flush`` (a consumer batch)."""
        if self._deferred is None:
            self._deferred = []

    async def flush(self) -> None:
        """Insert the deferred entries and send their NOTIFYs (on commit), in one statement."""
        announcements, self._announcements = self._announcements, []
        if not self._deferred:
            if announcements:
                await self._session.execute(_NOTIFY_ALL, {"channel": db.TIMELINE_CHANNEL, "payloads": announcements})
            return
        pending, self._deferred = self._deferred, []
        names = list(pending[0][0])
        rows = [
            [json.dumps(values[name], ensure_ascii=False) if name in _JSONB else values[name] for name in names]
            for values, _entry, _notice in pending
        ]
        payloads = [notice for _values, _entry, notice in pending if notice is not None] + announcements
        await self._session.execute(
            _INSERT_ENTRIES_AND_NOTIFY,
            {**batch_sql.arrays(names, rows), "channel": db.TIMELINE_CHANNEL, "payloads": payloads},
        )

    async def announce_known(self, tracking_no: str) -> None:
        """Tell waiting streams that ``tracking_no`` can be opened now (sent on commit)."""
        payload = encode_known(tracking_no)
        if self._deferred is not None:
            self._announcements.append(payload)
        else:
            await self._session.execute(_NOTIFY_ALL, {"channel": db.TIMELINE_CHANNEL, "payloads": [payload]})

    async def append(
        self, *, grievance_id: str, entry: TimelineEntryRead, event_source: str, event_id: str, notice: str | None
    ) -> None:
        """Add the entry; ``notice`` (the payload for listening API processes) is sent on commit."""
        values: dict[str, Any] = {
            "grievance_id": grievance_id,
            "seq": entry.sequence,
            "event_source": event_source,
            "event_id": event_id,
            "status": entry.status,
            "stage": entry.stage,
            "message_zh": entry.message_zh,
            "actor": entry.actor,
            "detail": entry.detail,
            "documents": entry.documents,
            "due_at": entry.due_at,
            "occurred_at": entry.occurred_at,
        }
        if self._deferred is not None:
            self._deferred.append((values, entry, notice))
        elif notice is None:
            await self._session.execute(_INSERT_ENTRY, values)
        else:
            await self._session.execute(
                _INSERT_ENTRY_AND_NOTIFY, {**values, "channel": db.TIMELINE_CHANNEL, "payload": notice}
            )

    async def after(self, grievance_id: str, *, after_seq: int, limit: int = 500) -> list[TimelineEntryRead]:
        """The entries numbered above ``after_seq``, in order, at most ``limit`` (deferred ones too)."""
        result = await self._session.execute(
            _ENTRIES_AFTER, {"grievance_id": grievance_id, "after_seq": after_seq, "limit": limit}
        )
        entries = [entry_read(row._mapping) for row in result]
        waiting = [e for values, e, _ in self._deferred or () if values["grievance_id"] == grievance_id]
        if not waiting:
            return entries
        return sorted([*entries, *(e for e in waiting if e.sequence > after_seq)], key=lambda e: e.sequence)[:limit]

"""Intake's read model of ``grievance.status.v1``: the latest status of every grievance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import TextClause, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db
from shared.db.unnest import column_arrays, unnest_rows

_S = db.grievance_status


@dataclass(frozen=True, slots=True)
class KnownStatus:
    closed: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """The latest status of one grievance as the read model keeps it."""

    grievance_id: str
    status: str
    closed: bool
    actor: str
    message_zh: str
    due_at: datetime | None
    updated_at: datetime


# The entry's columns and their types (shared.db.unnest).
_COLUMNS = (("grievance_id", "uuid"), ("status", "text"), ("closed", "boolean"), ("actor", "text"),
            ("message_zh", "text"), ("due_at", "timestamptz"), ("updated_at", "timestamptz"))  # fmt: skip


@cache
def _upsert() -> TextClause:
    """Entries as one statement, one or a batch's (an executemany would run one upsert per row in
    the server); one row per grievance, so no row is touched twice. The WHERE keeps the newest
    entry even if two writers raced past their reads: an older status never replaces a newer one."""
    names, rows = unnest_rows(_COLUMNS)
    changes = ", ".join(f"{name} = excluded.{name}" for name, _ in _COLUMNS if name != "grievance_id")
    table = _S.fullname
    return text(
        f"INSERT INTO {table} ({names}) {rows}"
        f" ON CONFLICT (grievance_id) DO UPDATE SET {changes} WHERE {table}.updated_at <= excluded.updated_at"
    )


@cache
def _entries_of_grievances() -> Any:
    return (
        select(_S.c.grievance_id, _S.c.closed, _S.c.updated_at)
        .where(_S.c.grievance_id == any_(bindparam("ids", type_=ARRAY(_S.c.grievance_id.type))))
        .order_by(_S.c.grievance_id)
        .with_for_update()
    )


class StatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # A consumer batch's grievances (lock_many): their entries as known now (None: none yet),
        # and the entries saved for them, written at flush.
        self._held: dict[str, KnownStatus | None] = {}
        self._pending: dict[str, StatusEntry] = {}

    async def lock_many(self, grievance_ids: Iterable[str]) -> None:
        """Read and lock the entries of a batch's grievances in one statement (in grievance order,
        so two batches never wait for each other in a cycle). ``for_update`` then answers for them
        from memory and ``save`` keeps their entries until ``flush``: one statement for the batch."""
        wanted = sorted(set(grievance_ids))
        rows = await self._session.execute(_entries_of_grievances(), {"ids": wanted})
        self._held = dict.fromkeys(wanted)
        for row in rows:
            self._held[row.grievance_id] = KnownStatus(closed=row.closed, updated_at=row.updated_at)

    async def for_update(self, grievance_id: str) -> KnownStatus | None:
        """The grievance's current entry, locked until the transaction ends."""
        if grievance_id in self._held:
            return self._held[grievance_id]
        query = select(_S.c.closed, _S.c.updated_at).where(_S.c.grievance_id == grievance_id).with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else KnownStatus(closed=row.closed, updated_at=row.updated_at)

    async def save(self, entry: StatusEntry) -> None:
        """Insert or replace the grievance's entry (at ``flush`` for a grievance of ``lock_many``)."""
        if entry.grievance_id in self._held:
            self._held[entry.grievance_id] = KnownStatus(closed=entry.closed, updated_at=entry.updated_at)
            self._pending[entry.grievance_id] = entry
            return
        await self._write([entry])

    async def flush(self) -> None:
        """Write the entries held back, one row per grievance (its newest)."""
        if self._pending:
            entries, self._pending = list(self._pending.values()), {}
            await self._write(entries)

    async def _write(self, entries: list[StatusEntry]) -> None:
        rows = [asdict(entry) for entry in entries]
        await self._session.execute(_upsert(), column_arrays(_COLUMNS, rows))

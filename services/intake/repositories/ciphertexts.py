"""Every encrypted column of intake's schema, for re-encryption under a new key.

Each column is listed with what binds its ciphertext (the associated data). Rows not yet under the
active key are found by their ciphertext header (shared.pii.FieldCipher), a batch at a time in key
order, locked ``FOR UPDATE SKIP LOCKED`` so the API keeps writing meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, Table, and_, case, func, literal, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db
from services.intake.domain.free_text import associated_data
from services.intake.domain.replay import replay_associated_data
from shared.pii import LEGACY_KEY_ID


@dataclass(frozen=True, slots=True)
class EncryptedColumn:
    name: str
    associated_data: Callable[[Any], str]  # from the row, as the writer bound it


@dataclass(frozen=True, slots=True)
class EncryptedTable:
    table: Table
    key: tuple[str, ...]
    columns: tuple[EncryptedColumn, ...]

    def stale(self, header: bytes) -> ColumnElement[bool]:
        """Rows with at least one ciphertext not under the key whose header is ``header``."""
        prefix = literal(header, LargeBinary)
        return or_(
            *(
                and_(self.table.c[c.name].is_not(None), func.substring(self.table.c[c.name], 1, len(header)) != prefix)
                for c in self.columns
            )
        )


def _the_field(name: str) -> Callable[[Any], str]:
    """The identity columns are bound to the field name alone."""
    return lambda _row: name


ENCRYPTED: dict[str, EncryptedTable] = {
    spec.table.name: spec
    for spec in (
        EncryptedTable(
            db.complainant,
            ("grievance_id",),
            tuple(EncryptedColumn(f"{f}_encrypted", _the_field(f)) for f in ("name", "mobile", "id_card", "email")),
        ),
        EncryptedTable(
            db.free_text_original,
            ("grievance_id", "field"),
            (EncryptedColumn("original_encrypted", lambda row: associated_data(row.field)),),
        ),
        EncryptedTable(
            db.idempotency_key,
            ("key",),
            (EncryptedColumn("response_encrypted", lambda row: replay_associated_data(row.key)),),
        ),
        EncryptedTable(
            db.webhook_receipt,
            ("webhook_id",),
            (EncryptedColumn("response_encrypted", lambda row: replay_associated_data(row.webhook_id)),),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Sealed:
    ciphertext: bytes
    associated_data: str


@dataclass(frozen=True, slots=True)
class StaleRow:
    """One row with a ciphertext under another key: its key, and its ciphertexts by column."""

    key: tuple[Any, ...]
    sealed: dict[str, Sealed]


def _key_id_of(column: Any) -> ColumnElement[str]:
    """The key id in a ciphertext header, in SQL (mirrors shared.pii.ciphertext_key_id)."""
    named = func.convert_from(func.substring(column, 3, func.get_byte(column, 1)), "UTF8")
    return case((func.get_byte(column, 0) == 1, literal(LEGACY_KEY_ID)), else_=named)


class CiphertextRepository:
    tables: tuple[str, ...] = tuple(ENCRYPTED)

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count_stale(self, table: str, header: bytes) -> int:
        """Rows of ``table`` with a ciphertext not under the key whose header is ``header``."""
        spec = ENCRYPTED[table]
        count = await self._session.scalar(select(func.count()).select_from(spec.table).where(spec.stale(header)))
        return int(count or 0)

    async def lock_stale(self, table: str, header: bytes, *, after: Sequence[Any] | None, limit: int) -> list[StaleRow]:
        """Up to ``limit`` stale rows after the key ``after``, in key order; rows others hold are skipped."""
        spec = ENCRYPTED[table]
        key_columns = [spec.table.c[name] for name in spec.key]
        query = (
            select(*key_columns, *(spec.table.c[c.name] for c in spec.columns))
            .where(spec.stale(header))
            .order_by(*key_columns)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if after is not None:
            bounds = (literal(value, column.type) for column, value in zip(key_columns, after, strict=True))
            query = query.where(tuple_(*key_columns) > tuple_(*bounds))
        rows = (await self._session.execute(query)).all()
        return [
            StaleRow(
                key=tuple(getattr(row, name) for name in spec.key),
                sealed={
                    c.name: Sealed(getattr(row, c.name), c.associated_data(row))
                    for c in spec.columns
                    if getattr(row, c.name) is not None
                },
            )
            for row in rows
        ]

    async def replace(self, table: str, key: Sequence[Any], ciphertexts: dict[str, bytes]) -> None:
        """Store new ciphertexts in the row with ``key``."""
        spec = ENCRYPTED[table]
        match = and_(*(spec.table.c[name] == value for name, value in zip(spec.key, key, strict=True)))
        await self._session.execute(update(spec.table).where(match).values(**ciphertexts))

    async def key_counts(self) -> dict[str, dict[str, int]]:
        """How many ciphertexts each key id holds, per ``table.column``."""
        counts: dict[str, dict[str, int]] = {}
        for spec in ENCRYPTED.values():
            for c in spec.columns:
                column = spec.table.c[c.name]
                key_id = _key_id_of(column).label("key_id")
                query = select(key_id, func.count()).where(column.is_not(None)).group_by(key_id).order_by(key_id)
                counts[f"{spec.table.name}.{c.name}"] = {row[0]: row[1] for row in await self._session.execute(query)}
        return counts

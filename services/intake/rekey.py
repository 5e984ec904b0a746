"""Re-encryption of intake's personal data under the active encryption key, online.

Every encrypted column is listed here with what binds its ciphertext (the associated data). Rows
not yet under the active key are found by their ciphertext header (shared.pii.FieldCipher) and
re-encrypted in small batches, each its own transaction that locks its rows with ``FOR UPDATE SKIP
LOCKED``: the API keeps writing meanwhile, a row it holds is left for the next pass, and a
stopped run resumes where the rows say it is (nothing else records progress).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, Table, and_, case, func, literal, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake import db
from services.intake.free_text import associated_data
from services.intake.handlers import replay_associated_data
from shared.pii import LEGACY_KEY_ID, FieldCipher

Progress = Callable[[str], None]


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


ENCRYPTED: tuple[EncryptedTable, ...] = (
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


async def rotate_batch(
    session: AsyncSession, spec: EncryptedTable, cipher: FieldCipher, *, after: Sequence[Any] | None, limit: int
) -> tuple[int, tuple[Any, ...] | None]:
    """Re-encrypt up to ``limit`` stale rows after the key ``after``; (rows done, last key)."""
    table = spec.table
    key_columns = [table.c[name] for name in spec.key]
    query = (
        select(*key_columns, *(table.c[c.name] for c in spec.columns))
        .where(spec.stale(cipher.active_header))
        .order_by(*key_columns)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if after is not None:
        bounds = (literal(value, column.type) for column, value in zip(key_columns, after, strict=True))
        query = query.where(tuple_(*key_columns) > tuple_(*bounds))
    rows = (await session.execute(query)).all()
    for row in rows:
        values = {
            c.name: cipher.reencrypt(getattr(row, c.name), field=c.associated_data(row))
            for c in spec.columns
            if getattr(row, c.name) is not None
        }
        match = and_(*(column == getattr(row, column.name) for column in key_columns))
        await session.execute(update(table).where(match).values(**values))
    last = tuple(getattr(rows[-1], name) for name in spec.key) if rows else None
    return len(rows), last


async def count_stale(session: AsyncSession, spec: EncryptedTable, cipher: FieldCipher) -> int:
    count = await session.scalar(select(func.count()).select_from(spec.table).where(spec.stale(cipher.active_header)))
    return int(count or 0)


async def rotate_table(
    sessions: async_sessionmaker[AsyncSession],
    spec: EncryptedTable,
    cipher: FieldCipher,
    *,
    batch_size: int,
    progress: Progress,
) -> int:
    """One pass over the table in key order; the rows re-encrypted."""
    done, after = 0, None
    while True:
        async with sessions() as session, session.begin():
            count, last = await rotate_batch(session, spec, cipher, after=after, limit=batch_size)
        if last is None:
            return done
        done, after = done + count, last
        progress(f"{spec.table.name}: {done} rows re-encrypted under key {cipher.active_key_id}")


@dataclass(frozen=True, slots=True)
class RotationResult:
    rotated: dict[str, int]
    remaining: dict[str, int]

    @property
    def complete(self) -> bool:
        return not any(self.remaining.values())


async def rotate(
    sessions: async_sessionmaker[AsyncSession],
    cipher: FieldCipher,
    *,
    batch_size: int = 200,
    dry_run: bool = False,
    max_passes: int = 5,
    progress: Progress = lambda _line: None,
) -> RotationResult:
    """Bring every encrypted column under the active key; a dry run only counts what is left.

    Rows locked by a writer during a pass are taken by the next; passes stop when nothing is left
    or a pass changed nothing (a writer still encrypting under an old key: restart it, run again).
    """
    rotated = {spec.table.name: 0 for spec in ENCRYPTED}
    remaining = await _remaining(sessions, cipher)
    for _ in range(0 if dry_run else max_passes):
        if not any(remaining.values()):
            break
        changed = 0
        for spec in ENCRYPTED:
            if remaining[spec.table.name]:
                count = await rotate_table(sessions, spec, cipher, batch_size=batch_size, progress=progress)
                rotated[spec.table.name] += count
                changed += count
        remaining = await _remaining(sessions, cipher)
        if not changed:
            break
    return RotationResult(rotated, remaining)


async def _remaining(sessions: async_sessionmaker[AsyncSession], cipher: FieldCipher) -> dict[str, int]:
    async with sessions() as session:
        return {spec.table.name: await count_stale(session, spec, cipher) for spec in ENCRYPTED}


def _key_id_of(column: Any) -> ColumnElement[str]:
    """The key id in a ciphertext header, in SQL (mirrors shared.pii.ciphertext_key_id)."""
    named = func.convert_from(func.substring(column, 3, func.get_byte(column, 1)), "UTF8")
    return case((func.get_byte(column, 0) == 1, literal(LEGACY_KEY_ID)), else_=named)


async def key_counts(session: AsyncSession) -> dict[str, dict[str, int]]:
    """How many ciphertexts each key id holds, per ``table.column``."""
    counts: dict[str, dict[str, int]] = {}
    for spec in ENCRYPTED:
        for c in spec.columns:
            column = spec.table.c[c.name]
            key_id = _key_id_of(column).label("key_id")
            query = select(key_id, func.count()).where(column.is_not(None)).group_by(key_id).order_by(key_id)
            counts[f"{spec.table.name}.{c.name}"] = {row[0]: row[1] for row in await session.execute(query)}
    return counts

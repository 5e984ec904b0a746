"""Re-encryption of intake's personal data under the active encryption key, online.

Rows not yet under the active key are re-encrypted in small batches, each its own transaction
that locks its rows (repositories.ciphertexts): the API keeps writing meanwhile, a row it holds is
left for the next pass, and a stopped run resumes where the rows say it is (nothing else records
progress).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.intake.repositories import IntakeUnits
from shared.pii import FieldCipher

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class RotationResult:
    rotated: dict[str, int]
    remaining: dict[str, int]

    @property
    def complete(self) -> bool:
        return not any(self.remaining.values())


async def reencrypt_table(
    units: IntakeUnits, table: str, cipher: FieldCipher, *, batch_size: int, progress: Progress
) -> int:
    """One pass over ``table`` in key order; the rows re-encrypted."""
    done, after = 0, None
    while True:
        async with units() as uow:
            rows = await uow.ciphertexts.lock_stale(table, cipher.active_header, after=after, limit=batch_size)
            for row in rows:
                fresh = {
                    column: cipher.reencrypt(sealed.ciphertext, field=sealed.associated_data)
                    for column, sealed in row.sealed.items()
                }
                await uow.ciphertexts.replace(table, row.key, fresh)
            await uow.commit()
        if not rows:
            return done
        last: tuple[Any, ...] = rows[-1].key
        done, after = done + len(rows), last
        progress(f"{table}: {done} rows re-encrypted under key {cipher.active_key_id}")


async def reencrypt(
    units: IntakeUnits,
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
    remaining = await stale_counts(units, cipher)
    rotated = dict.fromkeys(remaining, 0)
    for _ in range(0 if dry_run else max_passes):
        if not any(remaining.values()):
            break
        changed = 0
        for table, left in remaining.items():
            if left:
                count = await reencrypt_table(units, table, cipher, batch_size=batch_size, progress=progress)
                rotated[table] += count
                changed += count
        remaining = await stale_counts(units, cipher)
        if not changed:
            break
    return RotationResult(rotated, remaining)


async def stale_counts(units: IntakeUnits, cipher: FieldCipher) -> dict[str, int]:
    """Rows per table with a ciphertext not under the active key."""
    async with units() as uow:
        return {
            table: await uow.ciphertexts.count_stale(table, cipher.active_header) for table in uow.ciphertexts.tables
        }


async def ciphertext_key_counts(units: IntakeUnits) -> dict[str, dict[str, int]]:
    """How many ciphertexts each key id holds, per ``table.column``."""
    async with units() as uow:
        return await uow.ciphertexts.key_counts()

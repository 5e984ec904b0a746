"""Pseudonym-key rotation: recompute the stored pseudonyms under the active key and tell others.

Pseudonyms (HMAC of the mobile and ID-card numbers) are what the router matches repeats on; only
intake holds the raw numbers, encrypted. For every complainant row whose pseudonyms were made
with another key, this decrypts the numbers, stores the new pseudonyms and publishes a
``ComplainantPseudonymsRotated`` through the outbox in the same transaction, so the router's read
model follows exactly the rows that changed. Batches lock with ``FOR UPDATE SKIP LOCKED``; the key
id on each row is the progress, so a stopped run resumes and a finished one finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update

from services.intake import db
from services.intake.settings import Settings
from shared.clock import Clock
from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.events.contracts import ComplainantPseudonymsRotated
from shared.pii import FieldCipher, pseudonym

Progress = Callable[[str], None]
_C = db.complainant


@dataclass(frozen=True, slots=True)
class PseudonymRotation:
    settings: Settings
    cipher: FieldCipher
    clock: Clock

    @property
    def active(self) -> str:
        return self.settings.pii_pseudonym_key_id

    async def stale(self, uow: UnitOfWork) -> int:
        count = await uow.session.scalar(
            select(func.count()).select_from(_C).where(_C.c.pseudonym_key_id != self.active)
        )
        return int(count or 0)

    async def batch(self, uow: UnitOfWork, *, after: str | None, limit: int) -> tuple[int, str | None]:
        """Rotate up to ``limit`` rows after grievance id ``after``; (rows done, last grievance id)."""
        query = (
            select(
                _C.c.grievance_id,
                _C.c.mobile_encrypted,
                _C.c.id_card_encrypted,
                _C.c.mobile_pseudonym,
                _C.c.id_card_pseudonym,
                _C.c.pseudonym_key_id,
            )
            .where(_C.c.pseudonym_key_id != self.active)
            .order_by(_C.c.grievance_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if after is not None:
            query = query.where(_C.c.grievance_id > after)
        rows = (await uow.session.execute(query)).all()
        key, now = self.settings.pseudonym_key, self.clock.now()
        for row in rows:
            # A purged record has no numbers left: its pseudonyms cannot follow and are dropped.
            mobile = self.cipher.decrypt(row.mobile_encrypted, field="mobile") if row.mobile_encrypted else None
            id_card = self.cipher.decrypt(row.id_card_encrypted, field="id_card") if row.id_card_encrypted else None
            phone_pseudonym = pseudonym(key, "mobile", mobile) if mobile else None
            id_card_pseudonym = pseudonym(key, "id_card", id_card) if id_card else None
            await uow.session.execute(
                update(_C)
                .where(_C.c.grievance_id == row.grievance_id)
                .values(
                    mobile_pseudonym=phone_pseudonym,
                    id_card_pseudonym=id_card_pseudonym,
                    pseudonym_key_id=self.active,
                )
            )
            if row.mobile_pseudonym or row.id_card_pseudonym or phone_pseudonym or id_card_pseudonym:
                rotated = ComplainantPseudonymsRotated(
                    grievance_id=row.grievance_id,
                    key_id=self.active,
                    phone_pseudonym=phone_pseudonym,
                    id_card_pseudonym=id_card_pseudonym,
                    previous_key_id=row.pseudonym_key_id,
                    previous_phone_pseudonym=row.mobile_pseudonym,
                    previous_id_card_pseudonym=row.id_card_pseudonym,
                    rotated_at=now,
                )
                await uow.publish(rotated, subject=row.grievance_id)
        return len(rows), (rows[-1].grievance_id if rows else None)


@dataclass(frozen=True, slots=True)
class PseudonymResult:
    rotated: int
    remaining: int


async def rotate_pseudonyms(
    uow_factory: UnitOfWorkFactory,
    rotation: PseudonymRotation,
    *,
    batch_size: int = 200,
    dry_run: bool = False,
    max_passes: int = 5,
    progress: Progress = lambda _line: None,
) -> PseudonymResult:
    """Every complainant row under the active pseudonym key; a dry run only counts what is left."""
    done = 0
    remaining = await _remaining(uow_factory, rotation)
    for _ in range(0 if dry_run else max_passes):
        if not remaining:
            break
        changed, after = 0, None
        while True:
            async with uow_factory() as uow:
                count, last = await rotation.batch(uow, after=after, limit=batch_size)
                await uow.commit()
            if last is None:
                break
            changed, after = changed + count, last
            progress(f"complainant: {done + changed} pseudonyms recomputed under key {rotation.active}")
        done += changed
        remaining = await _remaining(uow_factory, rotation)
        if not changed:
            break
    return PseudonymResult(done, remaining)


async def _remaining(uow_factory: UnitOfWorkFactory, rotation: PseudonymRotation) -> int:
    async with uow_factory() as uow:
        return await rotation.stale(uow)


async def key_counts(uow: UnitOfWork) -> dict[str, int]:
    """Complainant rows per pseudonym key id."""
    query = select(_C.c.pseudonym_key_id, func.count()).group_by(_C.c.pseudonym_key_id).order_by(_C.c.pseudonym_key_id)
    return {row[0]: row[1] for row in await uow.session.execute(query)}

"""Pseudonym-key rotation: recompute the stored pseudonyms under the active key and tell others.

Pseudonyms (HMAC of the mobile and ID-card numbers) are what the router matches repeats on; only
intake holds the raw numbers, encrypted. For every complainant row whose pseudonyms were made
with another key, this decrypts the numbers, stores the new pseudonyms and publishes a
``ComplainantPseudonymsRotated`` through the outbox in the same transaction, so the router's read
model follows exactly the rows that changed. Batches skip rows others hold; the key id on each
row is the progress, so a stopped run resumes and a finished one finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.intake.handlers.context import IntakeContext
from services.intake.repositories import IntakeUnitOfWork, IntakeUnits
from shared.events.contracts import ComplainantPseudonymsRotated
from shared.pii import pseudonym

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PseudonymResult:
    rotated: int
    remaining: int


async def rotate_batch(
    *, uow: IntakeUnitOfWork, ctx: IntakeContext, after: str | None, limit: int
) -> tuple[int, str | None]:
    """Rotate up to ``limit`` rows after grievance id ``after``; (rows done, last grievance id)."""
    active, key, now = ctx.settings.pii_pseudonym_key_id, ctx.settings.pseudonym_key, ctx.clock.now()
    holders = await uow.complainants.lock_not_under_pseudonym_key(active, after=after, limit=limit)
    for row in holders:
        # A purged record has no numbers left: its pseudonyms cannot follow and are dropped.
        mobile = ctx.cipher.decrypt(row.mobile_encrypted, field="mobile") if row.mobile_encrypted else None
        id_card = ctx.cipher.decrypt(row.id_card_encrypted, field="id_card") if row.id_card_encrypted else None
        phone_pseudonym = pseudonym(key, "mobile", mobile) if mobile else None
        id_card_pseudonym = pseudonym(key, "id_card", id_card) if id_card else None
        await uow.complainants.set_pseudonyms(
            row.grievance_id, mobile_pseudonym=phone_pseudonym, id_card_pseudonym=id_card_pseudonym, key_id=active
        )
        if row.mobile_pseudonym or row.id_card_pseudonym or phone_pseudonym or id_card_pseudonym:
            rotated = ComplainantPseudonymsRotated(
                grievance_id=row.grievance_id,
                key_id=active,
                phone_pseudonym=phone_pseudonym,
                id_card_pseudonym=id_card_pseudonym,
                previous_key_id=row.pseudonym_key_id,
                previous_phone_pseudonym=row.mobile_pseudonym,
                previous_id_card_pseudonym=row.id_card_pseudonym,
                rotated_at=now,
            )
            await uow.publish(rotated, subject=row.grievance_id)
    return len(holders), (holders[-1].grievance_id if holders else None)


async def rotate_pseudonyms(
    units: IntakeUnits,
    ctx: IntakeContext,
    *,
    batch_size: int = 200,
    dry_run: bool = False,
    max_passes: int = 5,
    progress: Progress = lambda _line: None,
) -> PseudonymResult:
    """Every complainant row under the active pseudonym key; a dry run only counts what is left."""
    active = ctx.settings.pii_pseudonym_key_id
    done = 0
    remaining = await _remaining(units, active)
    for _ in range(0 if dry_run else max_passes):
        if not remaining:
            break
        changed, after = 0, None
        while True:
            async with units() as uow:
                count, last = await rotate_batch(uow=uow, ctx=ctx, after=after, limit=batch_size)
                await uow.commit()
            if last is None:
                break
            changed, after = changed + count, last
            progress(f"complainant: {done + changed} pseudonyms recomputed under key {active}")
        done += changed
        remaining = await _remaining(units, active)
        if not changed:
            break
    return PseudonymResult(done, remaining)


async def _remaining(units: IntakeUnits, active: str) -> int:
    async with units() as uow:
        return await uow.complainants.count_not_under_pseudonym_key(active)


async def pseudonym_key_counts(units: IntakeUnits) -> dict[str, int]:
    """Complainant rows per pseudonym key id."""
    async with units() as uow:
        return await uow.complainants.pseudonym_key_counts()

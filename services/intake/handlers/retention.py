"""Personal-data retention: anonymise the complainant of a case concluded longer ago than the period.

Purging removes what identifies the citizen: the encrypted identity, the masked identity (replaced
by ``已匿名化``), the pseudonyms (they let anyone with the key re-identify a person by matching),
the encrypted free-text originals and the encrypted replay answers. The masked free text stays for
statistics; the audit log keeps its rows and gains one per purge. The rule is domain.retention.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.intake.domain.retention import PURGE_ACTION, PURGED_NAME, retention_cutoff
from services.intake.metrics import count_purged
from services.intake.repositories import IntakeUnitOfWork, IntakeUnits
from services.intake.settings import Settings
from shared.clock import Clock
from shared.db.audit import SystemActor
from shared.logging import get_logger

log = get_logger(__name__)

RETENTION_ACTOR = SystemActor("retention-job")


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one purge run did (or, in a dry run, would do)."""

    cutoff: datetime
    purged: int
    dry_run: bool


async def purge_batch(
    *, uow: IntakeUnitOfWork, before: datetime, now: datetime, limit: int, retention_days: int
) -> int:
    """Anonymise up to ``limit`` due complainants in the caller's transaction; returns how many."""
    due = await uow.personal_data.lock_due(before, limit=limit)
    if not due:
        return 0
    await uow.personal_data.erase([d.grievance_id for d in due], purged_at=now, name_placeholder=PURGED_NAME)
    details = {
        d.grievance_id: {
            "retention_days": retention_days,
            "concluded_status": d.status,
            "last_status_at": d.updated_at.isoformat(),
        }
        for d in due
    }
    await uow.audit.record_each(RETENTION_ACTOR, PURGE_ACTION, details, at=now)
    return len(due)


async def purge_personal_data(
    *, uow_factory: IntakeUnits, settings: Settings, clock: Clock, dry_run: bool = False
) -> PurgeReport | None:
    """Purge every due complainant, one batch per transaction; None when retention is off."""
    now = clock.now()
    before = retention_cutoff(settings.personal_data_retention_days, now)
    if before is None:
        return None
    if dry_run:
        async with uow_factory() as uow:
            return PurgeReport(cutoff=before, purged=await uow.personal_data.count_due(before), dry_run=True)
    total = 0
    while True:
        async with uow_factory() as uow:
            purged = await purge_batch(
                uow=uow,
                before=before,
                now=now,
                limit=settings.retention_batch_size,
                retention_days=settings.personal_data_retention_days,
            )
            await uow.commit()
        count_purged(purged)
        total += purged
        if purged < settings.retention_batch_size:
            break
    if total:
        log.info("personal data purged", complainants=total, cutoff=before.isoformat())
    return PurgeReport(cutoff=before, purged=total, dry_run=False)

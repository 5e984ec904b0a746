"""Personal-data retention: anonymise the complainant of a case concluded longer ago than the period.

A case counts as concluded when intake's status read model says so (closed or not accepted; a
reopened case is open again). The period runs from the case's last status, so a rating after the
answer moves the start later, never earlier. Purging removes what identifies the citizen:
the encrypted identity, the masked identity (replaced by ``已匿名化``), the pseudonyms (they let
anyone with the key re-identify a person by matching), the encrypted free-text originals and the
encrypted replay answers. The masked free text stays for statistics; the audit log keeps its rows
and gains one per purge.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter
from sqlalchemy import delete, func, insert, select, update

from services.intake import db
from services.intake.settings import Settings
from shared.clock import Clock
from shared.db.audit import SystemActor, audit_values
from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.logging import get_logger
from shared.runtime import Infrastructure

log = get_logger(__name__)

PURGED_NAME = "已匿名化"
RETENTION_ACTOR = SystemActor("retention-job")
PURGE_ACTION = "purge_personal_data"

PURGED = Counter("intake_personal_data_purged_total", "Complainants anonymised by the retention job.")

_C, _S = db.complainant, db.grievance_status


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one purge run did (or, in a dry run, would do)."""

    cutoff: datetime
    purged: int
    dry_run: bool


def cutoff(settings: Settings, now: datetime) -> datetime | None:
    """Cases whose last status is older than this are due; None when retention is off."""
    if settings.personal_data_retention_days == 0:
        return None
    return now - timedelta(days=settings.personal_data_retention_days)


def _due(before: datetime) -> Any:
    """Complainants of concluded cases last changed before ``before`` and not purged yet."""
    return (
        select(_C.c.grievance_id, _S.c.status, _S.c.updated_at)
        .join(_S, _S.c.grievance_id == _C.c.grievance_id)
        .where(_S.c.closed, _S.c.updated_at < before, _C.c.purged_at.is_(None))
    )


async def count_due(*, uow: UnitOfWork, before: datetime) -> int:
    due = _due(before).subquery()
    return int(await uow.session.scalar(select(func.count()).select_from(due)) or 0)


async def purge_batch(*, uow: UnitOfWork, before: datetime, now: datetime, limit: int, retention_days: int) -> int:
    """Anonymise up to ``limit`` due complainants in the caller's transaction; returns how many.

    Rows another purge holds are skipped (SKIP LOCKED), so several workers can run the job at once
    without waiting for each other or purging a row twice.
    """
    rows = (
        await uow.session.execute(
            _due(before).order_by(_S.c.updated_at).limit(limit).with_for_update(of=_C, skip_locked=True)
        )
    ).all()
    if not rows:
        return 0
    ids = [row.grievance_id for row in rows]
    await uow.session.execute(
        update(_C)
        .where(_C.c.grievance_id.in_(ids))
        .values(
            name_encrypted=None,
            mobile_encrypted=None,
            id_card_encrypted=None,
            email_encrypted=None,
            name_masked=PURGED_NAME,
            mobile_masked=None,
            id_card_masked=None,
            email_masked=None,
            mobile_pseudonym=None,
            id_card_pseudonym=None,
            purged_at=now,
        )
    )
    await uow.session.execute(delete(db.free_text_original).where(db.free_text_original.c.grievance_id.in_(ids)))
    # The stored answers of replayable requests carry the tracking token; an Idempotency-Key lives
    # a day and a webhook signature five minutes, so after years nothing can replay them anyway.
    await uow.session.execute(delete(db.idempotency_key).where(db.idempotency_key.c.grievance_id.in_(ids)))
    await uow.session.execute(
        update(db.webhook_receipt).where(db.webhook_receipt.c.grievance_id.in_(ids)).values(response_encrypted=None)
    )
    await uow.session.execute(
        insert(db.audit_log),
        [
            audit_values(
                db.audit_log,
                actor=RETENTION_ACTOR,
                action=PURGE_ACTION,
                subject=row.grievance_id,
                detail={
                    "retention_days": retention_days,
                    "concluded_status": row.status,
                    "last_status_at": row.updated_at.isoformat(),
                },
                at=now,
            )
            for row in rows
        ],
    )
    return len(rows)


async def purge_personal_data(
    *, uow_factory: UnitOfWorkFactory, settings: Settings, clock: Clock, dry_run: bool = False
) -> PurgeReport | None:
    """Purge every due complainant, one batch per transaction; None when retention is off."""
    now = clock.now()
    before = cutoff(settings, now)
    if before is None:
        return None
    if dry_run:
        async with uow_factory() as uow:
            return PurgeReport(cutoff=before, purged=await count_due(uow=uow, before=before), dry_run=True)
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
        PURGED.inc(purged)
        total += purged
        if purged < settings.retention_batch_size:
            break
    if total:
        log.info("personal data purged", complainants=total, cutoff=before.isoformat())
    return PurgeReport(cutoff=before, purged=total, dry_run=False)


class RetentionPart:
    """The purge as a worker part: runs at start, then every ``retention_interval_s``."""

    # After a failed round (database restarting) the next try comes this soon, not a day later.
    RETRY_S = 60.0

    def __init__(self, infra: Infrastructure, *, settings: Settings, clock: Clock) -> None:
        self._infra = infra
        self._settings = settings
        self._clock = clock
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                wait = self._settings.retention_interval_s
                try:
                    await purge_personal_data(uow_factory=self._infra.uow, settings=self._settings, clock=self._clock)
                except Exception as exc:
                    # Batches committed before the failure stay purged; the rest come next round.
                    log.warning("retention round failed", error=repr(exc))
                    wait = min(wait, self.RETRY_S)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), wait)
        finally:
            await self._infra.engine.dispose()

    def stop(self) -> None:
        self._stopping.set()


def purge_command(argv: list[str]) -> int:
    """``python -m services.intake purge-personal-data [--dry-run]``: one purge run now."""
    import argparse

    from shared.clock import SystemClock
    from shared.logging import configure_logging

    parser = argparse.ArgumentParser(prog="python -m services.intake purge-personal-data")
    parser.add_argument("--dry-run", action="store_true", help="count the complainants due, change nothing")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(service=settings.service_name, level=settings.log_level, json=settings.log_json)

    async def run() -> PurgeReport | None:
        infra = Infrastructure.build(settings, db.TABLES)
        try:
            return await purge_personal_data(
                uow_factory=infra.uow, settings=settings, clock=SystemClock(), dry_run=args.dry_run
            )
        finally:
            await infra.engine.dispose()

    report = asyncio.run(run())
    if report is None:
        print("retention is off (INTAKE_PERSONAL_DATA_RETENTION_DAYS=0): nothing purged")
    elif report.dry_run:
        print(f"would purge {report.purged} complainants of cases concluded before {report.cutoff.isoformat()}")
    else:
        print(f"purged {report.purged} complainants of cases concluded before {report.cutoff.isoformat()}")
    return 0

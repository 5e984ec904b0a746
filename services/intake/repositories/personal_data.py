"""The complainant's personal data as a whole, for the retention purge: who is due, and erasing
everything that identifies them across intake's tables (services.intake.handlers.retention)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db

_C, _S = db.complainant, db.grievance_status


@dataclass(frozen=True, slots=True)
class DueComplainant:
    """A complainant whose case concluded (``status``) before the cut-off and is not purged yet."""

    grievance_id: str
    status: str
    updated_at: datetime


def _due(before: datetime) -> Any:
    """Complainants of concluded cases last changed before ``before`` and not purged yet."""
    return (
        select(_C.c.grievance_id, _S.c.status, _S.c.updated_at)
        .join(_S, _S.c.grievance_id == _C.c.grievance_id)
        .where(_S.c.closed, _S.c.updated_at < before, _C.c.purged_at.is_(None))
    )


class PersonalDataRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count_due(self, before: datetime) -> int:
        due = _due(before).subquery()
        return int(await self._session.scalar(select(func.count()).select_from(due)) or 0)

    async def lock_due(self, before: datetime, *, limit: int) -> list[DueComplainant]:
        """Up to ``limit`` due complainants, oldest status first. Rows another purge holds are
        skipped (SKIP LOCKED), so several workers can purge at once without purging a row twice."""
        query = _due(before).order_by(_S.c.updated_at).limit(limit).with_for_update(of=_C, skip_locked=True)
        return [DueComplainant(**row._mapping) for row in await self._session.execute(query)]

    async def erase(self, grievance_ids: Sequence[str], *, purged_at: datetime, name_placeholder: str) -> None:
        """Anonymise the complainants: identity, masks, pseudonyms, free-text originals and the
        encrypted answers of replayable requests. The masked free text stays for statistics."""
        ids = list(grievance_ids)
        await self._session.execute(
            update(_C)
            .where(_C.c.grievance_id.in_(ids))
            .values(
                name_encrypted=None,
                mobile_encrypted=None,
                id_card_encrypted=None,
                email_encrypted=None,
                name_masked=name_placeholder,
                mobile_masked=None,
                id_card_masked=None,
                email_masked=None,
                mobile_pseudonym=None,
                id_card_pseudonym=None,
                purged_at=purged_at,
            )
        )
        await self._session.execute(delete(db.free_text_original).where(db.free_text_original.c.grievance_id.in_(ids)))
        # The stored answers of replayable requests carry the tracking token; an Idempotency-Key lives
        # a day and a webhook signature five minutes, so after years nothing can replay them anyway.
        await self._session.execute(delete(db.idempotency_key).where(db.idempotency_key.c.grievance_id.in_(ids)))
        await self._session.execute(
            update(db.webhook_receipt).where(db.webhook_receipt.c.grievance_id.in_(ids)).values(response_encrypted=None)
        )

"""The complainant's sealed identity (stored at filing: repositories.filings): its pseudonyms moved
to a new key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db

_C = db.complainant


@dataclass(frozen=True, slots=True)
class PseudonymHolder:
    """A complainant row whose pseudonyms were made with another key, with what remakes them."""

    grievance_id: str
    mobile_encrypted: bytes | None
    id_card_encrypted: bytes | None
    mobile_pseudonym: str | None
    id_card_pseudonym: str | None
    pseudonym_key_id: str


class ComplainantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count_not_under_pseudonym_key(self, key_id: str) -> int:
        query = select(func.count()).select_from(_C).where(_C.c.pseudonym_key_id != key_id)
        return int(await self._session.scalar(query) or 0)

    async def lock_not_under_pseudonym_key(
        self, key_id: str, *, after: str | None, limit: int
    ) -> list[PseudonymHolder]:
        """Up to ``limit`` rows after grievance id ``after``, in id order; rows others hold are skipped."""
        query = (
            select(
                _C.c.grievance_id,
                _C.c.mobile_encrypted,
                _C.c.id_card_encrypted,
                _C.c.mobile_pseudonym,
                _C.c.id_card_pseudonym,
                _C.c.pseudonym_key_id,
            )
            .where(_C.c.pseudonym_key_id != key_id)
            .order_by(_C.c.grievance_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if after is not None:
            query = query.where(_C.c.grievance_id > after)
        return [PseudonymHolder(**row._mapping) for row in await self._session.execute(query)]

    async def set_pseudonyms(
        self, grievance_id: str, *, mobile_pseudonym: str | None, id_card_pseudonym: str | None, key_id: str
    ) -> None:
        await self._session.execute(
            update(_C)
            .where(_C.c.grievance_id == grievance_id)
            .values(mobile_pseudonym=mobile_pseudonym, id_card_pseudonym=id_card_pseudonym, pseudonym_key_id=key_id)
        )

    async def pseudonym_key_counts(self) -> dict[str, int]:
        """Complainant rows per pseudonym key id."""
        query = (
            select(_C.c.pseudonym_key_id, func.count()).group_by(_C.c.pseudonym_key_id).order_by(_C.c.pseudonym_key_id)
        )
        return {row[0]: row[1] for row in await self._session.execute(query)}

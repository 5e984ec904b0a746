"""The documents a case issues (调解协议书, 调解终止告知书), stored as HTML, and their numbers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db

D = db.document


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    """A document as a case lists it (without its text)."""

    id: str
    kind: str
    number: str | None
    title: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: str
    mediation_id: str
    kind: str  # agreement | termination_notice
    number: str | None
    title: str
    html: str
    created_at: datetime


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_agreement_sequence(self) -> int:
        """The next agreement number of the district; a rolled-back one is skipped, never reused."""
        return int(await self._session.scalar(db.agreement_sequence.next_value()) or 0)

    async def add(self, document: StoredDocument) -> None:
        await self._session.execute(insert(D).values(**asdict(document)))

    async def of_case(self, case_id: str) -> list[DocumentEntry]:
        rows = await self._session.execute(
            select(D.c.id, D.c.kind, D.c.number, D.c.title, D.c.created_at)
            .where(D.c.mediation_id == case_id)
            .order_by(D.c.created_at)
        )
        return [DocumentEntry(row.id, row.kind, row.number, row.title, row.created_at) for row in rows]

    async def get(self, document_id: str) -> StoredDocument | None:
        row = (await self._session.execute(select(D).where(D.c.id == document_id))).first()
        if row is None:
            return None
        return StoredDocument(row.id, row.mediation_id, row.kind, row.number, row.title, row.html, row.created_at)

"""Issued notices (告知书, 意见书): kept as issued, HTML and PDF, per case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    """A notice as listed on its case (without its contents)."""

    id: str
    kind: str
    title: str
    doc_no: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    id: str
    grievance_id: str
    kind: str
    title: str
    doc_no: str
    issued_by: str
    html: str
    pdf: bytes
    created_at: datetime


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, document: IssuedDocument) -> None:
        await self._session.execute(
            insert(db.document).values(
                id=document.id,
                grievance_id=document.grievance_id,
                kind=document.kind,
                title=document.title,
                doc_no=document.doc_no,
                issued_by=document.issued_by,
                html=document.html,
                pdf=document.pdf,
                created_at=document.created_at,
            )
        )

    async def get(self, document_id: str) -> IssuedDocument | None:
        row = (await self._session.execute(select(db.document).where(db.document.c.id == document_id))).first()
        if row is None:
            return None
        return IssuedDocument(
            id=row.id,
            grievance_id=row.grievance_id,
            kind=row.kind,
            title=row.title,
            doc_no=row.doc_no,
            issued_by=row.issued_by,
            html=row.html,
            pdf=row.pdf,
            created_at=row.created_at,
        )

    async def of_case(self, grievance_id: str) -> list[DocumentEntry]:
        d = db.document
        rows = await self._session.execute(
            select(d.c.id, d.c.kind, d.c.title, d.c.doc_no, d.c.created_at)
            .where(d.c.grievance_id == grievance_id)
            .order_by(d.c.created_at, d.c.id)
        )
        return [DocumentEntry(row.id, row.kind, row.title, row.doc_no, row.created_at) for row in rows]

    async def count(self, grievance_id: str, kind: str) -> int:
        """Notices of ``kind`` issued on the case so far (numbers the next one)."""
        found = await self._session.scalar(
            select(func.count()).where(db.document.c.grievance_id == grievance_id, db.document.c.kind == kind)
        )
        return int(found or 0)

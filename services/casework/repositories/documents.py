"""Issued notices (告知书, 意见书): kept as issued per case, the HTML at once and the PDF made from
it on first download (``keep_pdf``), then served as kept."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, insert, select, update
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
    issuer_name: str  # as printed on the notice: the PDF's author
    html: str
    pdf: bytes | None  # None until first downloaded
    created_at: datetime


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # A consumer batch's new notices, written at ``flush`` after the cases they belong to.
        self._deferred: dict[str, IssuedDocument] | None = None

    def defer_inserts(self) -> None:
        self._deferred = {}

    async def flush(self) -> None:
        if self._deferred:
            documents, self._deferred = list(self._deferred.values()), {}
            await self._session.execute(insert(db.document), [_row(document) for document in documents])

    async def add(self, document: IssuedDocument) -> None:
        if self._deferred is not None:
            self._deferred[document.id] = document
            return
        await self._session.execute(insert(db.document).values(**_row(document)))

    async def get(self, document_id: str) -> IssuedDocument | None:
        if self._deferred and document_id in self._deferred:
            return self._deferred[document_id]
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
            issuer_name=row.issuer_name,
            html=row.html,
            pdf=row.pdf,
            created_at=row.created_at,
        )

    async def keep_pdf(self, document: IssuedDocument, pdf: bytes) -> IssuedDocument:
        """Keep ``pdf`` as the notice's PDF unless a concurrent first download kept one already:
        either way, the PDF now kept, which every later download gets as it is."""
        d = db.document
        kept = await self._session.scalar(
            update(d).where(d.c.id == document.id).values(pdf=func.coalesce(d.c.pdf, pdf)).returning(d.c.pdf)
        )
        return replace(document, pdf=kept if kept is not None else pdf)

    async def of_case(self, grievance_id: str) -> list[DocumentEntry]:
        d = db.document
        rows = await self._session.execute(
            select(d.c.id, d.c.kind, d.c.title, d.c.doc_no, d.c.created_at)
            .where(d.c.grievance_id == grievance_id)
            .order_by(d.c.created_at, d.c.id)
        )
        entries = [DocumentEntry(row.id, row.kind, row.title, row.doc_no, row.created_at) for row in rows]
        pending = [DocumentEntry(p.id, p.kind, p.title, p.doc_no, p.created_at) for p in self._pending(grievance_id)]
        return sorted(entries + pending, key=lambda entry: (entry.created_at, entry.id))

    async def count(self, grievance_id: str, kind: str) -> int:
        """Notices of ``kind`` issued on the case so far (numbers the next one)."""
        found = await self._session.scalar(
            select(func.count()).where(db.document.c.grievance_id == grievance_id, db.document.c.kind == kind)
        )
        return int(found or 0) + sum(1 for p in self._pending(grievance_id) if p.kind == kind)

    def _pending(self, grievance_id: str) -> list[IssuedDocument]:
        return [p for p in (self._deferred or {}).values() if p.grievance_id == grievance_id]


def _row(document: IssuedDocument) -> dict[str, object]:
    return {
        "id": document.id,
        "grievance_id": document.grievance_id,
        "kind": document.kind,
        "title": document.title,
        "doc_no": document.doc_no,
        "issued_by": document.issued_by,
        "issuer_name": document.issuer_name,
        "html": document.html,
        "pdf": document.pdf,
        "created_at": document.created_at,
    }

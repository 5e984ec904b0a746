"""Reading cases: a department's own cases with filters and due dates, one case, its documents."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass

from services.casework.domain.access import may_read_documents, staff_reader
from services.casework.domain.calendar import local_date
from services.casework.handlers.actions import SEES_ALL, CaseNotFound, find_case, read_view
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import audit
from services.casework.handlers.views import case_summary
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.repositories.cases import CaseFilter
from services.casework.repositories.documents import IssuedDocument
from services.casework.schemas.cases import CaseList, CaseRead
from shared.auth import StaffPrincipal
from shared.pii import tokens_match

__all__ = ["CaseFilter", "DocumentFile", "citizen_document", "list_cases", "read_case", "staff_document"]


async def list_cases(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, filters: CaseFilter
) -> CaseList:
    """An officer sees its own department's cases (``filters.department`` is for supervisors)."""
    today = local_date(ctx.clock.now())
    mine = staff.department if staff.role not in SEES_ALL else filters.department
    total, cases = await uow.cases.search(dataclasses.replace(filters, department=mine), today=today)
    items = []
    for case in cases:
        reader = staff_reader(case, department=staff.department, sees_all=staff.role in SEES_ALL)
        if reader is not None:
            items.append(case_summary(ctx, case, reader, today))
    return CaseList(items=items, total=total, limit=filters.limit, offset=filters.offset)


async def read_case(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str
) -> CaseRead:
    case, reader = await find_case(uow, ctx, staff, grievance_id)
    view = await read_view(uow, ctx, case, reader, ctx.clock.now(), staff=staff)
    if view.confidential:
        # Reads of a report are audited: who saw that a report exists, and when.
        await audit(uow, staff, "read_confidential_case", grievance_id, {"reader": reader.value})
        await uow.commit()
    return view


@dataclass(frozen=True, slots=True)
class DocumentFile:
    title: str
    doc_no: str
    html: str
    pdf: bytes | None  # only when asked for


async def staff_document(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    document_id: str,
    with_pdf: bool,
) -> DocumentFile:
    case, reader = await find_case(uow, ctx, staff, grievance_id, action="download_document")
    found = await uow.documents.get(document_id)
    if found is None or found.grievance_id != case.grievance_id or not may_read_documents(case, reader):
        raise CaseNotFound(document_id)
    await audit(uow, staff, "download_document", grievance_id, {"document_id": document_id})
    file = await _file(uow, ctx, found, with_pdf=with_pdf)
    await uow.commit()
    return file


async def citizen_document(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, document_id: str, token: str | None, with_pdf: bool
) -> DocumentFile:
    """The citizen's copy, for the holder of the tracking token; 404 for anything else."""
    found = await uow.documents.get(document_id)
    if found is None or not token:
        raise CaseNotFound(document_id)
    case = await uow.cases.get(found.grievance_id)
    if case is None or not tokens_match(token, case.tracking_token_hash):
        raise CaseNotFound(document_id)
    file = await _file(uow, ctx, found, with_pdf=with_pdf)
    await uow.commit()
    return file


async def _file(
    uow: CaseworkUnitOfWork, ctx: CaseworkContext, found: IssuedDocument, *, with_pdf: bool
) -> DocumentFile:
    """The notice as issued; its PDF made from its HTML and kept if this is the first download."""
    if with_pdf and found.pdf is None:
        pdf = await asyncio.to_thread(
            ctx.renderer.pdf, html=found.html, title=found.title, doc_no=found.doc_no, issuer=found.issuer_name
        )
        found = await uow.documents.keep_pdf(found, pdf)
    return DocumentFile(title=found.title, doc_no=found.doc_no, html=found.html, pdf=found.pdf if with_pdf else None)

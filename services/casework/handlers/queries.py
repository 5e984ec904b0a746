"""Reading cases: a department's own cases with filters and due dates, one case, its documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select, true

from services.casework import db
from services.casework.domain.access import may_read_documents, staff_reader
from services.casework.domain.calendar import local_date
from services.casework.handlers.actions import SEES_ALL, CaseNotFound, find_case, read_view
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import audit
from services.casework.handlers.views import case_summary
from services.casework.repository import load_case
from services.casework.schemas import CaseList, CaseRead
from shared.auth import StaffPrincipal
from shared.db.uow import UnitOfWork
from shared.pii import tokens_match


@dataclass(frozen=True, slots=True)
class CaseFilter:
    state: str | None = None
    role: str | None = None  # lead | co
    track: str | None = None
    petition_kind: str | None = None
    department: str | None = None  # supervisors: one department's cases
    overdue: bool | None = None
    due_before: datetime | None = None
    urgent: bool | None = None
    limit: int = 50
    offset: int = 0


async def list_cases(*, uow: UnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, filters: CaseFilter) -> CaseList:
    t, d = db.grievance_case, db.deadline
    now = ctx.clock.now()
    conditions = []
    mine = staff.department if staff.role not in SEES_ALL else filters.department
    if mine is not None:
        as_lead = t.c.lead_department == mine
        as_co = t.c.co_departments.contains([mine])
        conditions.append(as_lead if filters.role == "lead" else as_co if filters.role == "co" else or_(as_lead, as_co))
    for column, value in (
        (t.c.state, filters.state),
        (t.c.track, filters.track),
        (t.c.petition_kind, filters.petition_kind),
        (t.c.urgent, filters.urgent),
    ):
        if value is not None:
            conditions.append(column == value)
    if filters.due_before is not None:
        conditions.append(t.c.next_due_at <= filters.due_before)
    if filters.overdue is not None:
        late = exists().where(
            d.c.grievance_id == t.c.grievance_id,
            d.c.done_at.is_(None),
            d.c.cancelled.is_(False),
            d.c.paused_at.is_(None),
            d.c.due_on < local_date(now),
        )
        conditions.append(late if filters.overdue else ~late)
    where = and_(true(), *conditions)
    total = await uow.session.scalar(select(func.count()).select_from(t).where(where))
    rows = await uow.session.scalars(
        select(t.c.aggregate)
        .where(where)
        .order_by(t.c.urgent.desc(), t.c.next_due_at.asc().nulls_last(), t.c.grievance_id)
        .limit(filters.limit)
        .offset(filters.offset)
    )
    items = []
    for data in rows:
        case = load_case(data)
        reader = staff_reader(case, department=staff.department, sees_all=staff.role in SEES_ALL)
        if reader is not None:
            items.append(case_summary(ctx, case, reader, local_date(now)))
    return CaseList(items=items, total=int(total or 0), limit=filters.limit, offset=filters.offset)


async def read_case(*, uow: UnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str) -> CaseRead:
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
    pdf: bytes


async def _document(uow: UnitOfWork, document_id: str) -> tuple[str, DocumentFile] | None:
    row = (await uow.session.execute(select(db.document).where(db.document.c.id == document_id))).first()
    if row is None:
        return None
    return row.grievance_id, DocumentFile(title=row.title, doc_no=row.doc_no, html=row.html, pdf=row.pdf)


async def staff_document(
    *, uow: UnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str, document_id: str
) -> DocumentFile:
    case, reader = await find_case(uow, ctx, staff, grievance_id, action="download_document")
    found = await _document(uow, document_id)
    if found is None or found[0] != case.grievance_id or not may_read_documents(case, reader):
        raise CaseNotFound(document_id)
    await audit(uow, staff, "download_document", grievance_id, {"document_id": document_id})
    await uow.commit()
    return found[1]


async def citizen_document(
    *, uow: UnitOfWork, ctx: CaseworkContext, document_id: str, token: str | None
) -> DocumentFile:
    """The citizen's copy, for the holder of the tracking token; 404 for anything else."""
    found = await _document(uow, document_id)
    if found is None or not token:
        raise CaseNotFound(document_id)
    case = await ctx.repository(uow).get(found[0])
    if case is None or not tokens_match(token, case.tracking_token_hash):
        raise CaseNotFound(document_id)
    return found[1]

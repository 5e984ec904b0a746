"""Telling people: the citizen's status event, the departments' topic events, issued documents,
and the staff audit log — all written in the caller's transaction (outbox, no dual write)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.casework.documents.content import Draft
from services.casework.domain.access import Reader, may_read_grievance
from services.casework.domain.calendar import local_date
from services.casework.domain.case import Case
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.views import grievance_view
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.repositories.documents import IssuedDocument
from shared.auth import StaffPrincipal
from shared.events.citizen_status import citizen_status
from shared.events.contracts import DocumentRef
from shared.events.department import DepartmentAction, DepartmentCaseChanged, DueView
from shared.events.topics import department_topic
from shared.events.vocabulary import Status, Track


async def tell_citizen(
    uow: CaseworkUnitOfWork,
    case: Case,
    *,
    status: Status,
    message_zh: str,
    actor: str,
    now: datetime,
    due_at: datetime | None = None,
    documents: Iterable[DocumentRef] = (),
    detail: dict[str, Any] | None = None,
) -> None:
    await uow.publish(
        citizen_status(
            grievance_id=case.grievance_id,
            tracking_no=case.tracking_no,
            status=status,
            stage="litigation" if case.track is Track.litigation else "casework",
            message_zh=message_zh,
            detail={"state": case.state.value, "revision": case.revision},
            extra=detail,
            actor=actor,
            due_at=due_at,
            documents=documents,
            occurred_at=now,
        ),
        subject=case.grievance_id,
    )


async def tell_departments(
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    *,
    action: DepartmentAction,
    message_zh: str,
    now: datetime,
    departments: Iterable[str] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One event per department on its own topic; a department no longer on the case is 'former'."""
    upcoming = case.next_deadline
    due = (
        DueView(
            step=upcoming.step.value,
            owner=upcoming.owner,
            due_on=upcoming.due_on,
            due_at=upcoming.due_at,
            overdue=upcoming.overdue_on(local_date(now)),
        )
        if upcoming
        else None
    )
    shown = grievance_view(case)  # the same for every department allowed to see it
    for code in dict.fromkeys(departments if departments is not None else case.departments):
        role = case.role_of(code)
        label = role.value if role is not None else "reviewer" if code == ctx.settings.review_office_code else "former"
        reader = Reader.lead if label == "lead" else Reader.bureau if label == "reviewer" else Reader.co
        visible = label != "former" and may_read_grievance(case, reader)
        await uow.publish(
            DepartmentCaseChanged(
                grievance_id=case.grievance_id,
                tracking_no=case.tracking_no,
                department=code,
                department_name=ctx.name(code),
                role=label,
                action=action,
                track=case.track,
                petition_kind=case.petition_kind,
                area=case.area,
                category=case.category,
                item=case.item,
                state=case.state.value,
                urgent=case.urgent,
                revision=case.revision,
                lead_department=case.lead,
                co_departments=list(case.co),
                due=due if label != "former" else None,
                message_zh=message_zh,
                confidential=not visible,
                grievance=shown if visible else None,
                detail=detail or {},
                case_url=ctx.case_url(case.grievance_id),
                occurred_at=now,
            ),
            subject=case.grievance_id,
            topic=department_topic(code),
        )


async def issue_document(
    uow: CaseworkUnitOfWork, ctx: CaseworkContext, case: Case, draft: Draft, *, issued_by: str, now: datetime
) -> DocumentRef:
    """Keep the notice as issued (its HTML; the PDF is made from it on first download) and return
    the citizen's link."""
    notice = ctx.renderer.text(draft)
    document_id = str(uuid.uuid4())
    await uow.documents.add(
        IssuedDocument(
            id=document_id,
            grievance_id=case.grievance_id,
            kind=notice.kind.value,
            title=notice.title,
            doc_no=notice.doc_no,
            issued_by=issued_by,
            issuer_name=notice.issuer,
            html=notice.html,
            pdf=None,
            created_at=now,
        )
    )
    return DocumentRef(kind=notice.kind.value, title=notice.title, url=ctx.public_document_url(document_id))


async def audit(
    uow: CaseworkUnitOfWork, staff: StaffPrincipal, action: str, grievance_id: str | None, detail: dict[str, Any]
) -> None:
    await uow.audit.record(staff, action, grievance_id, detail)


async def next_document_sequence(uow: CaseworkUnitOfWork, grievance_id: str, kind: str) -> int:
    """1 for the first notice of a kind on a case, 2 for the second (after a reopen), ..."""
    return await uow.documents.count(grievance_id, kind) + 1

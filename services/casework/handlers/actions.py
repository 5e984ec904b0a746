"""Staff act on a case: find it (404 unless it is theirs), replay an idempotent retry, apply the
step, save, audit, answer — all in one transaction."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from services.casework.domain.access import Reader, may_read_documents, staff_reader
from services.casework.domain.calendar import local_date
from services.casework.domain.case import Case
from services.casework.handlers import commands as c
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.legal_steps import OTHER_STEPS
from services.casework.handlers.publishing import audit
from services.casework.handlers.refusals import record_refusal
from services.casework.handlers.steps import PETITION_STEPS
from services.casework.handlers.views import case_read, office
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.schemas.cases import CaseRead, DocumentRead
from shared.auth import StaffPrincipal
from shared.events.vocabulary import Role
from shared.idempotency import KeyedRequest

STEPS = PETITION_STEPS | OTHER_STEPS
SEES_ALL = frozenset({Role.supervisor, Role.admin})


class CaseNotFound(Exception):
    """No such case for this reader: absent, or another department's (the same answer)."""


async def find_case(
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    *,
    for_update: bool = False,
    action: str = "read_case",
) -> tuple[Case, Reader]:
    """The case and how ``staff`` reads it; another department's case is refused (and audited)."""
    case = await (uow.cases.for_update(grievance_id) if for_update else uow.cases.get(grievance_id))
    if case is None:
        raise CaseNotFound(grievance_id)
    reader = staff_reader(case, department=staff.department, sees_all=staff.role in SEES_ALL)
    if reader is None:
        await record_refusal(uow, staff, action, grievance_id)
        raise CaseNotFound(grievance_id)
    return case, reader


async def documents_of(uow: CaseworkUnitOfWork, ctx: CaseworkContext, grievance_id: str) -> list[DocumentRead]:
    entries = await uow.documents.of_case(grievance_id)
    base = ctx.case_url(grievance_id)
    return [
        DocumentRead(
            id=entry.id,
            kind=entry.kind,
            title=entry.title,
            doc_no=entry.doc_no,
            created_at=entry.created_at,
            html_url=f"{base}/documents/{entry.id}?format=html",
            pdf_url=f"{base}/documents/{entry.id}?format=pdf",
        )
        for entry in entries
    ]


async def read_view(
    uow: CaseworkUnitOfWork, ctx: CaseworkContext, case: Case, reader: Reader, now: datetime, *, staff: StaffPrincipal
) -> CaseRead:
    """The case as ``staff`` reads it, with the actions it may take now."""
    documents = await documents_of(uow, ctx, case.grievance_id) if may_read_documents(case, reader) else []
    return case_read(ctx, case, reader, local_date(now), documents, staff_role=staff.role, department=staff.department)


def principal(staff: StaffPrincipal) -> str:
    """Whose Idempotency-Keys these are: one staff member's, whatever they act on."""
    return f"{staff.role.value}:{staff.subject}"


async def perform(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    command: c.Command,
    idempotency_key: KeyedRequest | None = None,
) -> tuple[CaseRead, bool]:
    """Apply ``command``; returns the case as the actor now sees it and whether it was a replay."""
    now = ctx.clock.now()
    # The row lock serialises concurrent actions on one case, retries with the same key included.
    case, reader = await find_case(uow, ctx, staff, grievance_id, for_update=True, action=type(command).__name__)
    keyed = (
        idempotency_key.attempt(principal=principal(staff), body=dataclasses.asdict(command))
        if idempotency_key
        else None
    )
    if keyed is not None:
        earlier = await uow.idempotency.recall(keyed)
        if earlier is not None:
            return CaseRead.model_validate(earlier), True
    step = STEPS[type(command)]
    await step(uow=uow, ctx=ctx, case=case, staff=staff, command=command, now=now)
    await uow.cases.save(case, calendar=ctx.calendar)
    await audit(
        uow,
        staff,
        type(command).__name__,
        grievance_id,
        {"command": dataclasses.asdict(command), "state": case.state.value, "office": office(ctx, case.lead).name},
    )
    view = await read_view(uow, ctx, case, reader, now, staff=staff)
    if keyed is not None:
        await uow.idempotency.remember(keyed, scope=grievance_id, response=view.model_dump(mode="json"))
    await uow.commit()
    return view, False

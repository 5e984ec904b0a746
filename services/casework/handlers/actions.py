"""Staff act on a case: find it (404 unless it is theirs), replay an idempotent retry, apply the
step, save, audit, answer — all in one transaction."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.casework import db
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
from services.casework.schemas import CaseRead, DocumentRead
from shared.auth import StaffPrincipal
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Role

STEPS = PETITION_STEPS | OTHER_STEPS
SEES_ALL = frozenset({Role.supervisor, Role.admin})


class CaseNotFound(Exception):
    """No such case for this reader: absent, or another department's (the same answer)."""


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before for a different request."""


async def find_case(
    uow: UnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    *,
    for_update: bool = False,
    action: str = "read_case",
) -> tuple[Case, Reader]:
    """The case and how ``staff`` reads it; another department's case is refused (and audited)."""
    case = await ctx.repository(uow).get(grievance_id, for_update=for_update)
    if case is None:
        raise CaseNotFound(grievance_id)
    reader = staff_reader(case, department=staff.department, sees_all=staff.role in SEES_ALL)
    if reader is None:
        await record_refusal(uow, staff, action, grievance_id)
        raise CaseNotFound(grievance_id)
    return case, reader


async def documents_of(uow: UnitOfWork, ctx: CaseworkContext, grievance_id: str) -> list[DocumentRead]:
    rows = await uow.session.execute(
        select(
            db.document.c.id, db.document.c.kind, db.document.c.title, db.document.c.doc_no, db.document.c.created_at
        )
        .where(db.document.c.grievance_id == grievance_id)
        .order_by(db.document.c.created_at, db.document.c.id)
    )
    base = ctx.case_url(grievance_id)
    return [
        DocumentRead(
            id=row.id,
            kind=row.kind,
            title=row.title,
            doc_no=row.doc_no,
            created_at=row.created_at,
            html_url=f"{base}/documents/{row.id}?format=html",
            pdf_url=f"{base}/documents/{row.id}?format=pdf",
        )
        for row in rows
    ]


async def read_view(
    uow: UnitOfWork, ctx: CaseworkContext, case: Case, reader: Reader, now: datetime, *, staff: StaffPrincipal
) -> CaseRead:
    """The case as ``staff`` reads it, with the actions it may take now."""
    documents = await documents_of(uow, ctx, case.grievance_id) if may_read_documents(case, reader) else []
    return case_read(ctx, case, reader, local_date(now), documents, staff_role=staff.role, department=staff.department)


def fingerprint(grievance_id: str, command: c.Command) -> str:
    body = {"case": grievance_id, "command": type(command).__name__, **dataclasses.asdict(command)}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _recall(uow: UnitOfWork, principal: str, key: str, request_hash: str) -> dict[str, Any] | None:
    row = (
        await uow.session.execute(
            select(db.idempotency_key.c.request_hash, db.idempotency_key.c.response).where(
                db.idempotency_key.c.principal == principal, db.idempotency_key.c.key == key
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise IdempotencyConflict(key)
    response: dict[str, Any] = row.response
    return response


async def perform(
    *,
    uow: UnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    command: c.Command,
    idempotency_key: str | None = None,
) -> tuple[CaseRead, bool]:
    """Apply ``command``; returns the case as the actor now sees it and whether it was a replay."""
    now = ctx.clock.now()
    # The row lock serialises concurrent actions on one case, retries with the same key included.
    case, reader = await find_case(uow, ctx, staff, grievance_id, for_update=True, action=type(command).__name__)
    principal = f"{staff.role.value}:{staff.subject}"
    request_hash = fingerprint(grievance_id, command)
    if idempotency_key is not None:
        earlier = await _recall(uow, principal, idempotency_key, request_hash)
        if earlier is not None:
            return CaseRead.model_validate(earlier), True
    step = STEPS[type(command)]
    await step(uow=uow, ctx=ctx, case=case, staff=staff, command=command, now=now)
    await ctx.repository(uow).save(case)
    await audit(
        uow,
        staff,
        type(command).__name__,
        grievance_id,
        {"command": dataclasses.asdict(command), "state": case.state.value, "office": office(ctx, case.lead).name},
    )
    view = await read_view(uow, ctx, case, reader, now, staff=staff)
    if idempotency_key is not None:
        await uow.session.execute(
            pg_insert(db.idempotency_key).values(
                principal=principal,
                key=idempotency_key,
                request_hash=request_hash,
                grievance_id=grievance_id,
                response=view.model_dump(mode="json"),
            )
        )
    await uow.commit()
    return view, False

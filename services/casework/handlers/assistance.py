"""Assistance referral (《信访工作条例》第三十七条): the handling department records the petitioner's
hardship and the referral to social or judicial assistance, later its outcome; the citizen sees
both on the timeline. Counted for the statistics and the annual report."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, insert, select, true, update

from services.casework import db
from services.casework.domain import assistance as rules
from services.casework.domain.assistance import AssistanceKind, Outcome, Scheme
from services.casework.handlers.actions import find_case
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.oversight import RecordNotFound, known_department, office_of
from services.casework.handlers.publishing import audit, tell_citizen
from services.casework.oversight_schemas import (
    AssistanceCounts,
    AssistanceCreate,
    AssistanceList,
    AssistanceOutcomeRequest,
    AssistanceRead,
    AssistanceStatistics,
)
from shared.auth import StaffPrincipal
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Status

A = db.assistance_referral


def _read(ctx: CaseworkContext, row: Row[Any]) -> AssistanceRead:
    scheme = Scheme(row.scheme)
    return AssistanceRead(
        id=row.id,
        grievance_id=row.grievance_id,
        department=office_of(ctx, row.department),
        kind=AssistanceKind(row.kind),
        scheme=scheme,
        scheme_zh=rules.SCHEME_NAMES_ZH[scheme],
        referred_to=office_of(ctx, row.referred_to),
        hardship=row.hardship,
        outcome=Outcome(row.outcome),
        outcome_note=row.outcome_note,
        referred_at=row.referred_at,
        outcome_at=row.outcome_at,
    )


async def refer(
    *, uow: UnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str, body: AssistanceCreate
) -> AssistanceRead:
    """Record hardship and the referral; allowed in any state, a case closed after 复核 included."""
    now = ctx.clock.now()
    case, _ = await find_case(uow, ctx, staff, grievance_id, for_update=True, action="ReferAssistance")
    known_department(ctx, body.referred_to, field="referred_to")
    body_is_legal = ctx.catalog.departments[body.referred_to].legal_body is not None
    rules.check_referral(body.scheme, referred_to_legal_body=body_is_legal)
    referral_id = str(uuid.uuid4())
    department = staff.department or ctx.settings.review_office_code
    await uow.session.execute(
        insert(A).values(
            id=referral_id,
            grievance_id=grievance_id,
            department=department,
            kind=rules.kind_of(body.scheme).value,
            scheme=body.scheme.value,
            referred_to=body.referred_to,
            hardship=body.hardship,
            outcome=Outcome.pending.value,
            recorded_by=staff.subject,
            referred_at=now,
        )
    )
    scheme_zh = rules.SCHEME_NAMES_ZH[body.scheme]
    await tell_citizen(
        uow,
        case,
        status=Status.assistance_referred,
        message_zh=(
            f"针对您反映的实际困难，已告知并帮助您向{ctx.name(body.referred_to)}申请{scheme_zh}"
            f"（{rules.LEGAL_BASIS}）。"
        ),
        actor=ctx.name(department),
        now=now,
        detail={"referral_id": referral_id, "scheme": body.scheme.value, "referred_to": body.referred_to},
    )
    await audit(uow, staff, "ReferAssistance", grievance_id, {"referral_id": referral_id, "scheme": body.scheme.value})
    row = (await uow.session.execute(select(A).where(A.c.id == referral_id))).one()
    return _read(ctx, row)


async def record_outcome(
    *,
    uow: UnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    referral_id: str,
    body: AssistanceOutcomeRequest,
) -> AssistanceRead:
    now = ctx.clock.now()
    case, _ = await find_case(uow, ctx, staff, grievance_id, for_update=True, action="RecordAssistanceOutcome")
    row = (
        await uow.session.execute(
            select(A).where(A.c.id == referral_id, A.c.grievance_id == grievance_id).with_for_update()
        )
    ).first()
    if row is None:
        raise RecordNotFound("referral-not-found", "未找到该救助转介记录。")
    rules.check_outcome(Outcome(row.outcome), body.outcome)
    await uow.session.execute(
        update(A)
        .where(A.c.id == referral_id)
        .values(outcome=body.outcome.value, outcome_note=body.note, outcome_at=now)
    )
    scheme_zh = rules.SCHEME_NAMES_ZH[Scheme(row.scheme)]
    await tell_citizen(
        uow,
        case,
        status=Status.assistance_concluded,
        message_zh=f"您申请的{scheme_zh}：{rules.OUTCOME_NAMES_ZH[body.outcome]}。",
        actor=ctx.name(row.referred_to),
        now=now,
        detail={"referral_id": referral_id, "scheme": row.scheme, "outcome": body.outcome.value},
    )
    await audit(uow, staff, "RecordAssistanceOutcome", grievance_id, {"referral_id": referral_id})
    updated = (await uow.session.execute(select(A).where(A.c.id == referral_id))).one()
    return _read(ctx, updated)


async def list_for_case(
    *, uow: UnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str
) -> AssistanceList:
    await find_case(uow, ctx, staff, grievance_id, action="list_assistance")
    rows = await uow.session.execute(
        select(A).where(A.c.grievance_id == grievance_id).order_by(A.c.referred_at, A.c.id)
    )
    return AssistanceList(items=[_read(ctx, row) for row in rows])


async def statistics(*, uow: UnitOfWork, since: date | None, until: date | None) -> AssistanceStatistics:
    """Referrals made in [since, until] (local dates) by kind, scheme and outcome."""
    referred_on = func.date(func.timezone("Asia/Shanghai", A.c.referred_at))
    conditions: list[ColumnElement[bool]] = []
    if since is not None:
        conditions.append(referred_on >= since)
    if until is not None:
        conditions.append(referred_on <= until)
    rows = await uow.session.execute(
        select(A.c.kind, A.c.scheme, A.c.outcome, func.count())
        .where(and_(true(), *conditions))
        .group_by(A.c.kind, A.c.scheme, A.c.outcome)
        .order_by(A.c.kind, A.c.scheme, A.c.outcome)
    )
    counts = [
        AssistanceCounts(kind=AssistanceKind(kind), scheme=Scheme(scheme), outcome=Outcome(outcome), count=n)
        for kind, scheme, outcome, n in rows
    ]
    return AssistanceStatistics(since=since, until=until, total=sum(c.count for c in counts), rows=counts)

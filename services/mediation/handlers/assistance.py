"""Hardship and assistance referral on a mediation case (《信访工作条例》第三十七条): the case's own
mediator records the referral to 社会救助 or 司法救助 and later its outcome; the citizen sees both on
the timeline; the office and the bureau count them. Any state, a closed case included: help with
hardship does not end with the mediation."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Row, func, insert, select, update

from services.mediation import db
from services.mediation.assistance_schemas import (
    AssistanceCounts,
    AssistanceCreate,
    AssistanceOutcomeCreate,
    AssistanceRead,
    AssistanceStatistics,
)
from services.mediation.handlers.access import Viewer, case_for
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.publishing import audit, publish_status
from shared.assistance import (
    LEGAL_BASIS,
    OUTCOME_ALREADY_RECORDED,
    OUTCOME_NAMES_ZH,
    SCHEME_NAMES_ZH,
    AssistanceKind,
    Outcome,
    Scheme,
    kind_of,
    outcome_problem,
    referral_problem,
)
from shared.auth import StaffPrincipal
from shared.clock import CHINA_TZ
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Status
from shared.problems import Problem

R = db.assistance_referral


def _read(ctx: MediationContext, row: Row[Any]) -> AssistanceRead:
    scheme = Scheme(row.scheme)
    department = ctx.catalog.departments.get(row.referred_to)
    return AssistanceRead(
        id=row.id,
        mediation_id=row.mediation_id,
        kind=AssistanceKind(row.kind),
        scheme=scheme,
        scheme_zh=SCHEME_NAMES_ZH[scheme],
        referred_to=row.referred_to,
        referred_to_name=department.name if department else row.referred_to,
        hardship=row.hardship,
        outcome=Outcome(row.outcome),
        outcome_note=row.outcome_note,
        referred_at=row.referred_at,
        outcome_at=row.outcome_at,
    )


def _own_mediator(viewer: Viewer) -> None:
    """Only a mediator on the case records help for its parties (supervisors read it)."""
    if viewer.mediator is None:
        raise Problem(403, slug="not-a-mediator", detail="只有承办本案的调解员可以记录救助转介。")


async def refer(
    *, uow: UnitOfWork, ctx: MediationContext, staff: StaffPrincipal, case_id: str, body: AssistanceCreate
) -> AssistanceRead:
    case, viewer = await case_for(uow, staff, case_id, lock=True)
    _own_mediator(viewer)
    department = ctx.catalog.departments.get(body.referred_to)
    if department is None:
        raise Problem(422, slug="unknown-department", detail=f"未知的单位代码：{body.referred_to}。")
    problem = referral_problem(body.scheme, referred_to_legal_body=department.legal_body is not None)
    if problem is not None:
        raise Problem(422, slug="rule-violation", detail=problem)
    now = ctx.clock.now()
    referral_id = str(uuid.uuid4())
    await uow.session.execute(
        insert(R).values(
            id=referral_id,
            mediation_id=case.id,
            office=case.office,
            kind=kind_of(body.scheme).value,
            scheme=body.scheme.value,
            referred_to=body.referred_to,
            hardship=body.hardship,
            outcome=Outcome.pending.value,
            recorded_by=staff.subject,
            referred_at=now,
        )
    )
    scheme_zh = SCHEME_NAMES_ZH[body.scheme]
    await publish_status(
        uow,
        case,
        status=Status.assistance_referred,
        # The hardship itself stays with the office: the timeline names only the help and the body.
        message=f"针对您反映的实际困难，调解组织已告知并帮助您向{department.name}申请{scheme_zh}（{LEGAL_BASIS}）。",
        now=now,
        detail={"referral_id": referral_id, "scheme": body.scheme.value, "referred_to": body.referred_to},
    )
    await audit(uow, staff, "refer_assistance", case.id, {"referral_id": referral_id, "scheme": body.scheme.value}, now)
    return _read(ctx, (await uow.session.execute(select(R).where(R.c.id == referral_id))).one())


async def record_outcome(
    *,
    uow: UnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    referral_id: str,
    body: AssistanceOutcomeCreate,
) -> AssistanceRead:
    case, viewer = await case_for(uow, staff, case_id, lock=True)
    _own_mediator(viewer)
    row = (
        await uow.session.execute(select(R).where(R.c.id == referral_id, R.c.mediation_id == case.id).with_for_update())
    ).first()
    if row is None:
        raise Problem(404, slug="referral-not-found", detail="未找到该救助转介记录。")
    problem = outcome_problem(Outcome(row.outcome), body.outcome)
    if problem == OUTCOME_ALREADY_RECORDED:
        raise Problem(409, slug="illegal-transition", detail=problem)
    if problem is not None:
        raise Problem(422, slug="rule-violation", detail=problem)
    now = ctx.clock.now()
    await uow.session.execute(
        update(R)
        .where(R.c.id == referral_id)
        .values(outcome=body.outcome.value, outcome_note=body.note, outcome_at=now)
    )
    await publish_status(
        uow,
        case,
        status=Status.assistance_concluded,
        message=f"您申请的{SCHEME_NAMES_ZH[Scheme(row.scheme)]}：{OUTCOME_NAMES_ZH[body.outcome]}。",
        now=now,
        detail={"referral_id": referral_id, "scheme": row.scheme, "outcome": body.outcome.value},
    )
    await audit(uow, staff, "record_assistance_outcome", case.id, {"referral_id": referral_id}, now)
    return _read(ctx, (await uow.session.execute(select(R).where(R.c.id == referral_id))).one())


async def of_case(uow: UnitOfWork, ctx: MediationContext, case_id: str) -> list[AssistanceRead]:
    rows = await uow.session.execute(select(R).where(R.c.mediation_id == case_id).order_by(R.c.referred_at, R.c.id))
    return [_read(ctx, row) for row in rows]


async def statistics(
    uow: UnitOfWork, *, office: str | None, since: date | None, until: date | None
) -> AssistanceStatistics:
    """Referrals made in [since, until] (Shanghai dates) by kind, scheme and outcome; one office or all."""
    statement = select(R.c.kind, R.c.scheme, R.c.outcome, func.count()).group_by(R.c.kind, R.c.scheme, R.c.outcome)
    if office is not None:
        statement = statement.where(R.c.office == office)
    if since is not None:
        statement = statement.where(R.c.referred_at >= datetime.combine(since, time.min, tzinfo=CHINA_TZ))
    if until is not None:
        statement = statement.where(R.c.referred_at <= datetime.combine(until, time.max, tzinfo=CHINA_TZ))
    rows = [
        AssistanceCounts(kind=AssistanceKind(kind), scheme=Scheme(scheme), outcome=Outcome(outcome), count=n)
        for kind, scheme, outcome, n in await uow.session.execute(statement.order_by(R.c.kind, R.c.scheme, R.c.outcome))
    ]
    return AssistanceStatistics(since=since, until=until, total=sum(r.count for r in rows), rows=rows)

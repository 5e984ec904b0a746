"""Hardship and assistance referral on a mediation case (《信访工作条例》第三十七条): the case's own
mediator records the referral to 社会救助 or 司法救助 and later its outcome; the citizen sees both on
the timeline; the office and the bureau count them. Any state, a closed case included: help with
hardship does not end with the mediation."""

from __future__ import annotations

import uuid
from datetime import date

from services.mediation.handlers.access import Viewer, case_for
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.publishing import audit, publish_status
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.referrals import Referral
from services.mediation.schemas.assistance import (
    AssistanceCreate,
    AssistanceOutcomeCreate,
    AssistanceRead,
)
from shared.assistance import (
    LEGAL_BASIS,
    OUTCOME_ALREADY_RECORDED,
    OUTCOME_NAMES_ZH,
    SCHEME_NAMES_ZH,
    AssistanceCounts,
    AssistanceStatistics,
    Outcome,
    kind_of,
    outcome_problem,
    referral_problem,
)
from shared.auth import StaffPrincipal
from shared.events.vocabulary import Status
from shared.problems import Problem


def _read(ctx: MediationContext, referral: Referral) -> AssistanceRead:
    department = ctx.catalog.departments.get(referral.referred_to)
    return AssistanceRead(
        id=referral.id,
        mediation_id=referral.mediation_id,
        kind=referral.kind,
        scheme=referral.scheme,
        scheme_zh=SCHEME_NAMES_ZH[referral.scheme],
        referred_to=referral.referred_to,
        referred_to_name=department.name if department else referral.referred_to,
        hardship=referral.hardship,
        outcome=referral.outcome,
        outcome_note=referral.outcome_note,
        referred_at=referral.referred_at,
        outcome_at=referral.outcome_at,
    )


async def _stored(uow: MediationUnitOfWork, ctx: MediationContext, referral_id: str) -> AssistanceRead:
    """The referral as the database now holds it (its times as stored)."""
    referral = await uow.referrals.get(referral_id)
    assert referral is not None  # written in this very transaction
    return _read(ctx, referral)


def _own_mediator(viewer: Viewer) -> None:
    """Only a mediator on the case records help for its parties (supervisors read it)."""
    if viewer.mediator is None:
        raise Problem(403, slug="not-a-mediator", detail="只有承办本案的调解员可以记录救助转介。")


async def refer(
    *, uow: MediationUnitOfWork, ctx: MediationContext, staff: StaffPrincipal, case_id: str, body: AssistanceCreate
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
    referral = Referral(
        id=str(uuid.uuid4()),
        mediation_id=case.id,
        office=case.office,
        kind=kind_of(body.scheme),
        scheme=body.scheme,
        referred_to=body.referred_to,
        hardship=body.hardship,
        outcome=Outcome.pending,
        recorded_by=staff.subject,
        referred_at=now,
    )
    await uow.referrals.add(referral)
    referral_id = referral.id
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
    return await _stored(uow, ctx, referral.id)


async def record_outcome(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    referral_id: str,
    body: AssistanceOutcomeCreate,
) -> AssistanceRead:
    case, viewer = await case_for(uow, staff, case_id, lock=True)
    _own_mediator(viewer)
    row = await uow.referrals.for_update(referral_id, case.id)
    if row is None:
        raise Problem(404, slug="referral-not-found", detail="未找到该救助转介记录。")
    problem = outcome_problem(row.outcome, body.outcome)
    if problem == OUTCOME_ALREADY_RECORDED:
        raise Problem(409, slug="illegal-transition", detail=problem)
    if problem is not None:
        raise Problem(422, slug="rule-violation", detail=problem)
    now = ctx.clock.now()
    await uow.referrals.record_outcome(referral_id, body.outcome, body.note, now)
    await publish_status(
        uow,
        case,
        status=Status.assistance_concluded,
        message=f"您申请的{SCHEME_NAMES_ZH[row.scheme]}：{OUTCOME_NAMES_ZH[body.outcome]}。",
        now=now,
        detail={"referral_id": referral_id, "scheme": row.scheme.value, "outcome": body.outcome.value},
    )
    await audit(uow, staff, "record_assistance_outcome", case.id, {"referral_id": referral_id}, now)
    return await _stored(uow, ctx, referral_id)


async def of_case(uow: MediationUnitOfWork, ctx: MediationContext, case_id: str) -> list[AssistanceRead]:
    return [_read(ctx, referral) for referral in await uow.referrals.of_case(case_id)]


async def statistics(
    uow: MediationUnitOfWork, *, office: str | None, since: date | None, until: date | None
) -> AssistanceStatistics:
    """Referrals made in [since, until] (Shanghai dates) by kind, scheme and outcome; one office or all."""
    rows = [
        AssistanceCounts(kind=c.kind, scheme=c.scheme, outcome=c.outcome, count=c.count)
        for c in await uow.referrals.counts(office=office, since=since, until=until)
    ]
    return AssistanceStatistics(since=since, until=until, total=sum(r.count for r in rows), rows=rows)

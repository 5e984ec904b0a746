"""Assistance referral (《信访工作条例》第三十七条): the handling department records the petitioner's
hardship and the referral to social or judicial assistance, later its outcome; the citizen sees
both on the timeline. Counted for the statistics and the annual report."""

from __future__ import annotations

import uuid
from datetime import date

from services.casework.domain import assistance as rules
from services.casework.domain.assistance import AssistanceKind, Outcome, Scheme
from services.casework.handlers.actions import find_case
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.oversight import RecordNotFound, known_department, office_of
from services.casework.handlers.publishing import audit, tell_citizen
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.repositories.assistance import Referral
from services.casework.schemas.oversight import (
    AssistanceCreate,
    AssistanceList,
    AssistanceOutcomeRequest,
    AssistanceRead,
)
from shared.assistance import AssistanceCounts, AssistanceStatistics
from shared.auth import StaffPrincipal
from shared.events.vocabulary import Status


def _read(ctx: CaseworkContext, row: Referral) -> AssistanceRead:
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
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str, body: AssistanceCreate
) -> AssistanceRead:
    """Record hardship and the referral; allowed in any state, a case closed after 复核 included."""
    now = ctx.clock.now()
    case, _ = await find_case(uow, ctx, staff, grievance_id, for_update=True, action="ReferAssistance")
    known_department(ctx, body.referred_to, field="referred_to")
    body_is_legal = ctx.catalog.departments[body.referred_to].legal_body is not None
    rules.check_referral(body.scheme, referred_to_legal_body=body_is_legal)
    referral_id = str(uuid.uuid4())
    department = staff.department or ctx.settings.review_office_code
    referral = Referral(
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
    await uow.assistance.add(referral)
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
    # Read back as stored, so this answer matches every later read (the database's time zone).
    stored = await uow.assistance.get(grievance_id, referral_id)
    assert stored is not None
    return _read(ctx, stored)


async def record_outcome(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    referral_id: str,
    body: AssistanceOutcomeRequest,
) -> AssistanceRead:
    now = ctx.clock.now()
    case, _ = await find_case(uow, ctx, staff, grievance_id, for_update=True, action="RecordAssistanceOutcome")
    row = await uow.assistance.for_update(grievance_id, referral_id)
    if row is None:
        raise RecordNotFound("referral-not-found", "未找到该救助转介记录。")
    rules.check_outcome(Outcome(row.outcome), body.outcome)
    row.outcome, row.outcome_note, row.outcome_at = body.outcome.value, body.note, now
    await uow.assistance.record_outcome(row)
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
    stored = await uow.assistance.get(grievance_id, referral_id)
    assert stored is not None
    return _read(ctx, stored)


async def list_for_case(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str
) -> AssistanceList:
    await find_case(uow, ctx, staff, grievance_id, action="list_assistance")
    referrals = await uow.assistance.of_case(grievance_id)
    return AssistanceList(items=[_read(ctx, referral) for referral in referrals])


async def statistics(*, uow: CaseworkUnitOfWork, since: date | None, until: date | None) -> AssistanceStatistics:
    """Referrals made in [since, until] (local dates) by kind, scheme and outcome."""
    counts = [
        AssistanceCounts(
            kind=AssistanceKind(c.kind), scheme=Scheme(c.scheme), outcome=Outcome(c.outcome), count=c.count
        )
        for c in await uow.assistance.counts(since, until)
    ]
    return AssistanceStatistics(since=since, until=until, total=sum(c.count for c in counts), rows=counts)

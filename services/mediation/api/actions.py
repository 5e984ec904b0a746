"""Command endpoints: accept, consent, sessions, close, follow-up, recusal, reassignment.

Every command answers with the case as it now stands; a command the case's state does not allow
answers 409 and changes nothing; a case that is not the caller's answers 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from services.mediation.api.deps import Ctx, MediatorStaff, Supervisor, Uow
from services.mediation.domain.outcomes import PartyEntry
from services.mediation.handlers import failure, outcomes, progress, queries, staffing
from services.mediation.schemas.cases import Accepted, CaseDetail
from services.mediation.schemas.commands import (
    AgreementClose,
    CloseCase,
    ConsentCreate,
    FailureClose,
    FollowUpCreate,
    ReassignCreate,
    RecusalCreate,
    SessionCreate,
    SessionRecord,
    SessionReschedule,
)
from shared.events.vocabulary import Track
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/mediations/{case_id}", tags=["mediation"])
COMMAND_PROBLEMS = problem_responses(401, 403, 404, 409, 422)
SessionNumber = Annotated[int, Path(ge=1, le=1000)]


@router.post("/accept", response_model=CaseDetail, responses=COMMAND_PROBLEMS, summary="Accept the case (受理)")
async def accept(
    case_id: uuid.UUID,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        await progress.accept(uow=uow, ctx=ctx, staff=staff, case_id=str(case_id))
        return await queries.case_after_command(uow=uow, ctx=ctx, case_id=str(case_id))


@router.post(
    "/consents",
    response_model=CaseDetail,
    responses=COMMAND_PROBLEMS,
    summary="Record a party's consent or refusal (人民调解法 §17: a refusal ends mediation)",
)
async def record_consent(
    case_id: uuid.UUID,
    body: ConsentCreate,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        await progress.record_consent(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=str(case_id),
            party=body.party,
            consented=body.consented,
            note=body.note,
        )
        return await queries.case_after_command(uow=uow, ctx=ctx, case_id=str(case_id))


@router.post(
    "/sessions",
    status_code=201,
    response_model=CaseDetail,
    responses=COMMAND_PROBLEMS,
    summary="Schedule a session (调解会); the parties are told and reminded",
)
async def schedule_session(
    case_id: uuid.UUID,
    body: SessionCreate,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        await progress.schedule_session(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=str(case_id),
            scheduled_for=body.scheduled_for,
            location=body.location,
        )
        return await queries.case_after_command(uow=uow, ctx=ctx, case_id=str(case_id))


@router.post(
    "/sessions/{number}/reschedule",
    response_model=CaseDetail,
    responses=COMMAND_PROBLEMS,
    summary="Move the pending session",
)
async def reschedule_session(
    case_id: uuid.UUID,
    body: SessionReschedule,
    number: SessionNumber,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        await progress.reschedule_session(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=str(case_id),
            number=number,
            scheduled_for=body.scheduled_for,
            location=body.location,
            reason=body.reason,
        )
        return await queries.case_after_command(uow=uow, ctx=ctx, case_id=str(case_id))


@router.post(
    "/sessions/{number}/record",
    response_model=CaseDetail,
    responses=COMMAND_PROBLEMS,
    summary="Record a held session: attendance and minutes (调解笔录)",
)
async def record_session(
    case_id: uuid.UUID,
    body: SessionRecord,
    number: SessionNumber,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        await progress.record_session(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=str(case_id),
            number=number,
            held_at=body.held_at,
            attendance=[entry.model_dump(mode="json") for entry in body.attendance],
            minutes=body.minutes,
        )
        return await queries.case_after_command(uow=uow, ctx=ctx, case_id=str(case_id))


@router.post(
    "/close",
    response_model=CaseDetail,
    responses=COMMAND_PROBLEMS,
    summary="Close with an outcome: agreement (调解协议书), failure (re-routed, 人民调解法 §26) or withdrawal",
)
async def close_case(
    case_id: uuid.UUID,
    body: CloseCase,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        if isinstance(body, AgreementClose):
            await outcomes.close_with_agreement(
                uow=uow,
                ctx=ctx,
                staff=staff,
                case_id=str(case_id),
                terms=body.terms,
                performance_deadline=body.performance_deadline,
                facts=body.facts,
                parties=[PartyEntry(p.role, p.name, p.representative) for p in body.parties] if body.parties else None,
            )
        elif isinstance(body, FailureClose):
            await failure.close_with_failure(
                uow=uow,
                ctx=ctx,
                staff=staff,
                case_id=str(case_id),
                reason=body.reason,
                to_track=Track(body.to_track) if body.to_track else None,
            )
        else:
            await outcomes.withdraw(uow=uow, ctx=ctx, staff=staff, case_id=str(case_id), reason=body.reason)
        return await queries.case_after_command(uow=uow, ctx=ctx, case_id=str(case_id))


@router.post(
    "/follow-up",
    response_model=CaseDetail,
    responses=COMMAND_PROBLEMS,
    summary="Record the follow-up (回访): was the agreement performed?",
)
async def follow_up(
    case_id: uuid.UUID,
    body: FollowUpCreate,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        await outcomes.record_follow_up(
            uow=uow, ctx=ctx, staff=staff, case_id=str(case_id), performed=body.performed, note=body.note
        )
        return await queries.case_after_command(uow=uow, ctx=ctx, case_id=str(case_id))


@router.post(
    "/recusal",
    status_code=202,
    response_model=Accepted,
    responses=COMMAND_PROBLEMS,
    summary="Declare a conflict of interest (回避): the caller leaves the case and is replaced",
)
async def recusal(
    case_id: uuid.UUID,
    body: RecusalCreate,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> Accepted:
    async with uow:
        await staffing.recuse(uow=uow, ctx=ctx, staff=staff, case_id=str(case_id), reason=body.reason)
    return Accepted(status="recused")


@router.post(
    "/reassign",
    response_model=CaseDetail,
    responses=COMMAND_PROBLEMS,
    summary="Reassign the case to named mediators or to the rules' next pick (supervisor)",
)
async def reassign(
    case_id: uuid.UUID,
    body: ReassignCreate,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        await staffing.reassign(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=str(case_id),
            mediator_ids=body.mediator_ids,
            panel=body.panel,
            reason=body.reason,
        )
        return await queries.case_after_command(uow=uow, ctx=ctx, case_id=str(case_id))

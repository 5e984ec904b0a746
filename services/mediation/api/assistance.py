"""Assistance referral (《信访工作条例》第三十七条) and the panel's legal adviser on a mediation case:
the case's own mediator acts; another's case answers 404, like every mediation command."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.mediation.api.actions import COMMAND_PROBLEMS
from services.mediation.api.deps import Ctx, MediatorStaff, Uow
from services.mediation.handlers import adviser, assistance, queries
from services.mediation.schemas.assistance import (
    AssistanceCreate,
    AssistanceOutcomeCreate,
    AssistanceRead,
    LegalAdviserCreate,
)
from services.mediation.schemas.cases import CaseDetail

router = APIRouter(prefix="/v1/mediations/{case_id}", tags=["mediation"])


@router.post(
    "/assistance",
    status_code=201,
    response_model=AssistanceRead,
    responses=COMMAND_PROBLEMS,
    summary="Record hardship and a referral to 社会救助 or 司法救助 (§37)",
)
async def refer(
    case_id: uuid.UUID,
    body: AssistanceCreate,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> AssistanceRead:
    async with uow:
        view = await assistance.refer(uow=uow, ctx=ctx, staff=staff, case_id=str(case_id), body=body)
        await uow.commit()
    return view


@router.post(
    "/assistance/{referral_id}/outcome",
    response_model=AssistanceRead,
    responses=COMMAND_PROBLEMS,
    summary="Record the referral's outcome (granted, refused, withdrawn)",
)
async def record_outcome(
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    body: AssistanceOutcomeCreate,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> AssistanceRead:
    async with uow:
        view = await assistance.record_outcome(
            uow=uow, ctx=ctx, staff=staff, case_id=str(case_id), referral_id=str(referral_id), body=body
        )
        await uow.commit()
    return view


@router.post(
    "/legal-adviser",
    response_model=CaseDetail,
    responses=COMMAND_PROBLEMS,
    summary="Ask for a lawyer from the roster as the panel's legal adviser (法律顾问)",
)
async def request_adviser(
    case_id: uuid.UUID,
    body: LegalAdviserCreate,
    staff: MediatorStaff,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        await adviser.request_adviser(uow=uow, ctx=ctx, staff=staff, case_id=str(case_id), body=body)
        return await queries.case_after_command(uow=uow, ctx=ctx, case_id=str(case_id))

"""Department officers act on their cases; supervisors read everything and record review opinions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.casework.api.deps import CaseReader, Ctx, IdempotencyKey, Officer, Supervisor, Uow
from services.casework.api.problems import problems
from services.casework.domain.states import CaseState
from services.casework.handlers import actions, queries
from services.casework.handlers import commands as c
from services.casework.handlers.context import CaseworkContext
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.schemas.cases import (
    CaseList,
    CaseRead,
    CoOpinionRequest,
    ExtendRequest,
    LegalConclusionRequest,
    LegalProgressRequest,
    LegalReceiptRequest,
    RefuseRequest,
    ReplyRequest,
    ReturnRequest,
    ReviewDecisionRequest,
)
from shared.auth import StaffPrincipal
from shared.filters import DepartmentCode
from shared.idempotency import REPLAYED_HEADERS, KeyedRequest
from shared.problems import problem_responses
from shared.web import MAX_OFFSET

router = APIRouter(prefix="/v1/cases", tags=["cases"])

ACTION_ERRORS = problem_responses(401, 403, 404, 409, 422)


@router.get("", response_model=CaseList, responses=problem_responses(401, 403), summary="My cases, with due dates")
async def list_cases(
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
    state: CaseState | None = Query(default=None, description="e.g. assigned, in_progress"),
    role: Literal["lead", "co"] | None = Query(default=None, description="as lead or as co-handler"),
    track: Literal["petition", "litigation"] | None = None,
    petition_kind: Literal["suggestion", "report", "claim"] | None = None,
    department: DepartmentCode | None = Query(default=None, description="supervisors: one department's cases"),
    overdue: bool | None = None,
    due_before: datetime | None = Query(default=None, description="next due date at or before this moment"),
    urgent: bool | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> CaseList:
    filters = queries.CaseFilter(
        state=state,
        role=role,
        track=track,
        petition_kind=petition_kind,
        department=department,
        overdue=overdue,
        due_before=due_before,
        urgent=urgent,
        limit=limit,
        offset=offset,
    )
    async with uow:
        return await queries.list_cases(uow=uow, ctx=ctx, staff=staff, filters=filters)


@router.get(
    "/{grievance_id}",
    response_model=CaseRead,
    responses=problem_responses(401, 403, 404),
    summary="One case as this reader may see it",
)
async def read_case(
    grievance_id: str,
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
) -> CaseRead:
    async with uow:
        with problems():
            return await queries.read_case(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id)


async def _act(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    command: c.Command,
    key: KeyedRequest | None,
) -> JSONResponse:
    async with uow:
        with problems():
            view, replayed = await actions.perform(
                uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, idempotency_key=key
            )
    headers = REPLAYED_HEADERS if replayed else None
    return JSONResponse(view.model_dump(mode="json"), headers=headers)


@router.post("/{grievance_id}/sign-for", response_model=CaseRead, responses=ACTION_ERRORS, summary="签收")
async def sign_for(
    grievance_id: str,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=c.SignFor(), key=key)


@router.post(
    "/{grievance_id}/return",
    response_model=CaseRead,
    responses=ACTION_ERRORS,
    summary="退单: not our remit, within 5 working days",
)
async def return_case(
    grievance_id: str,
    body: ReturnRequest,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    command = c.ReturnCase(reason=body.reason)
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, key=key)


@router.post("/{grievance_id}/accept", response_model=CaseRead, responses=ACTION_ERRORS, summary="受理 (受理告知书)")
async def accept(
    grievance_id: str,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=c.AcceptCase(), key=key)


@router.post(
    "/{grievance_id}/not-accept",
    response_model=CaseRead,
    responses=ACTION_ERRORS,
    summary="不予受理 (不予受理告知书 with the legal route)",
)
async def not_accept(
    grievance_id: str,
    body: RefuseRequest,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    command = c.RefuseCase(
        ground=body.ground, explanation=body.explanation, route=body.route, competent_body=body.competent_body
    )
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, key=key)


@router.post("/{grievance_id}/start", response_model=CaseRead, responses=ACTION_ERRORS, summary="开始办理")
async def start(
    grievance_id: str,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=c.StartHandling(), key=key)


@router.post(
    "/{grievance_id}/extend", response_model=CaseRead, responses=ACTION_ERRORS, summary="延期 (≤ 30 days, 延期告知书)"
)
async def extend(
    grievance_id: str,
    body: ExtendRequest,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    command = c.ExtendHandling(days=body.days, reason=body.reason)
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, key=key)


@router.post(
    "/{grievance_id}/co-opinion",
    response_model=CaseRead,
    responses=ACTION_ERRORS,
    summary="协办意见 (co-handling department)",
)
async def co_opinion(
    grievance_id: str,
    body: CoOpinionRequest,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    command = c.SubmitCoOpinion(opinion=body.opinion)
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, key=key)


@router.post("/{grievance_id}/reply", response_model=CaseRead, responses=ACTION_ERRORS, summary="答复 (信访处理意见书)")
async def reply(
    grievance_id: str,
    body: ReplyRequest,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    command = c.ReplyToCitizen(
        decision=body.decision,
        request_summary=body.request_summary,
        facts_and_reasons=body.facts_and_reasons,
        basis=body.basis,
        outstanding_co_reason=body.outstanding_co_reason,
    )
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, key=key)


@router.post(
    "/{grievance_id}/legal-receipt", response_model=CaseRead, responses=ACTION_ERRORS, summary="政法机关确认接收"
)
async def legal_receipt(
    grievance_id: str,
    body: LegalReceiptRequest,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    command = c.ConfirmLegalReceipt(reference_no=body.reference_no)
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, key=key)


@router.post(
    "/{grievance_id}/legal-progress", response_model=CaseRead, responses=ACTION_ERRORS, summary="政法机关反馈办理进展"
)
async def legal_progress(
    grievance_id: str,
    body: LegalProgressRequest,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    command = c.ReportLegalProgress(note=body.note)
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, key=key)


@router.post(
    "/{grievance_id}/legal-conclusion", response_model=CaseRead, responses=ACTION_ERRORS, summary="政法机关依法办结"
)
async def legal_conclusion(
    grievance_id: str,
    body: LegalConclusionRequest,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    command = c.ConcludeLegal(outcome=body.outcome)
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, key=key)


@router.post(
    "/{grievance_id}/review-decision",
    response_model=CaseRead,
    responses=ACTION_ERRORS,
    summary="复查/复核意见 (recorded by the bureau for the reviewing body)",
)
async def review_decision(
    grievance_id: str,
    body: ReviewDecisionRequest,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    command = c.DecideReview(outcome=body.outcome, opinion=body.opinion)
    return await _act(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, command=command, key=key)

"""Bureau staff's routes: register a visit, call or letter; the masked record and where it
stands; a complainant's earlier grievances; the audited contact read for a call-back."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from services.intake.api.deps import BureauStaff, Ctx, IdempotencyKey, Registrar, RegistrarOrSupervisor, Uow
from services.intake.api.grievances import accepted_response, command_of
from services.intake.handlers import submission
from services.intake.handlers.lookups import complainant_grievances, grievance_status
from services.intake.handlers.records import read_contact, read_grievance_for_staff
from services.intake.handlers.replays import Replay
from services.intake.schemas import (
    ComplainantGrievances,
    ComplainantLookup,
    ContactAccess,
    ContactRead,
    GrievanceAccepted,
    GrievanceRead,
    GrievanceStatusRead,
    StaffRegistration,
)
from shared.problems import problem_responses

router = APIRouter()


@router.post(
    "/v1/staff/grievances",
    status_code=202,
    response_model=GrievanceAccepted,
    responses=problem_responses(401, 403, 422),
    summary="Register a walk-in, hotline or letter grievance (registrar)",
)
async def register_grievance(
    body: StaffRegistration, staff: Registrar, ctx: Ctx, uow: Uow, idempotency_key: IdempotencyKey = None
) -> Response:
    replay = (
        Replay(
            "idempotency",
            f"staff:{staff.subject}:{idempotency_key.key}",
            idempotency_key.fingerprint(body.model_dump(mode="json")),
        )
        if idempotency_key
        else None
    )
    async with uow:
        result = await submission.register_grievance(
            uow=uow, ctx=ctx, staff=staff, command=command_of(body), replay=replay
        )
    return accepted_response(result)


@router.get(
    "/v1/staff/grievances/{tracking_no}",
    response_model=GrievanceRead,
    responses=problem_responses(401, 403, 404),
    summary="The grievance as filed, masked (bureau staff)",
)
async def staff_get_grievance(tracking_no: str, staff: BureauStaff, uow: Uow) -> GrievanceRead:
    async with uow:
        return await read_grievance_for_staff(uow=uow, tracking_no=tracking_no, staff=staff)


@router.get(
    "/v1/staff/grievances/{tracking_no}/status",
    response_model=GrievanceStatusRead,
    responses=problem_responses(401, 403, 404),
    summary="Where the grievance stands now: the latest status any service reported (bureau staff)",
)
async def staff_grievance_status(tracking_no: str, _: BureauStaff, uow: Uow) -> GrievanceStatusRead:
    async with uow:
        return await grievance_status(uow=uow, tracking_no=tracking_no)


# POST, not GET: the ID and mobile numbers travel in the body, never in a URL or an access log.
@router.post(
    "/v1/staff/complainant-grievances",
    response_model=ComplainantGrievances,
    responses=problem_responses(401, 403, 422),
    summary="Earlier grievances of the person with this ID or mobile number, to spot repeats (registrar; audited)",
)
async def staff_complainant_grievances(
    body: ComplainantLookup, staff: RegistrarOrSupervisor, ctx: Ctx, uow: Uow
) -> ComplainantGrievances:
    async with uow:
        return await complainant_grievances(uow=uow, ctx=ctx, staff=staff, lookup=body)


@router.post(
    "/v1/staff/grievances/{tracking_no}/contact",
    response_model=ContactRead,
    responses=problem_responses(401, 403, 404, 410),
    summary="Decrypt the complainant's contact data for a call-back (audited)",
)
async def staff_read_contact(
    tracking_no: str, body: ContactAccess, staff: RegistrarOrSupervisor, ctx: Ctx, uow: Uow
) -> ContactRead:
    async with uow:
        return await read_contact(uow=uow, ctx=ctx, tracking_no=tracking_no, staff=staff, purpose=body.purpose)

"""Taking a case from the router: a new assignment, a re-route superseding the old one, a
litigation transfer to a 政法 body, or a repeat linked to the open case (§19)."""

from __future__ import annotations

from datetime import datetime

from services.casework.documents import content
from services.casework.domain import messages
from services.casework.domain.assignment import open_case, reassign
from services.casework.domain.calendar import local_date
from services.casework.domain.case import Case, GrievanceSnapshot
from services.casework.domain.deadlines import Step
from services.casework.domain.legal import ROUTE_OF_LEGAL_BODY, ROUTE_TEXT_ZH, LegalRoute
from services.casework.domain.states import STATE_NAMES_ZH, CaseError, CaseState
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import (
    issue_document,
    next_document_sequence,
    tell_citizen,
    tell_departments,
)
from services.casework.repositories import CaseworkUnitOfWork
from shared.events.citizen_status import citizen_status
from shared.events.contracts import FiledGrievance, GrievanceReceived, RoutingDecision, TrackHandoff
from shared.events.department import DepartmentAction
from shared.events.vocabulary import Area, PetitionKind, Status, Track
from shared.kafka.consumer import PermanentError
from shared.logging import get_logger

log = get_logger(__name__)


def snapshot_of(grievance: GrievanceReceived) -> GrievanceSnapshot:
    person = grievance.complainant
    return GrievanceSnapshot(
        **FiledGrievance.fields_of(grievance),
        complainant_name_masked=person.name_masked,
        complainant_phone_masked=person.phone_masked,
        anonymous=person.anonymous,
    )


def handlers_for(
    ctx: CaseworkContext, decision: RoutingDecision
) -> tuple[str, list[str], LegalRoute | None, PetitionKind | None]:
    """Lead, co-handlers, legal route and kind as casework will handle them."""
    codes = [decision.departments.lead, *decision.departments.co]
    unknown = [code for code in codes if code not in ctx.catalog.departments]
    if unknown:
        raise PermanentError(f"routing decision names unknown departments: {unknown}")
    if decision.track is Track.litigation:
        bodies = [ctx.catalog.get(code) for code in codes if ctx.catalog.get(code).legal_body]
        # The router should name a 政法 body; if it did not, the justice bureau guides the
        # citizen to the right procedure rather than the case being lost.
        body = bodies[0] if bodies else ctx.catalog.legal_body("justice")
        assert body.legal_body is not None
        return body.code, [], ROUTE_OF_LEGAL_BODY[body.legal_body], None
    kind = decision.petition_kind or PetitionKind.claim
    if kind is PetitionKind.report:
        # §30: reports go to the 纪检监察 body alone; the router's other departments (possibly the
        # reported unit itself) are not told about the case at all.
        return ctx.catalog.lead_for_area(Area.discipline_inspection).code, [], None, kind
    return decision.departments.lead, [c for c in decision.departments.co if c != decision.departments.lead], None, kind


def classify(case: Case, decision: RoutingDecision) -> None:
    """Keep the decision's taxonomy on the case: departments read it on every notice."""
    case.area, case.category, case.item = decision.area.value, decision.category, decision.item


async def take_handoff(*, uow: CaseworkUnitOfWork, ctx: CaseworkContext, handoff: TrackHandoff) -> None:
    grievance, decision = handoff.grievance, handoff.decision
    if decision.track not in (Track.petition, Track.litigation):
        raise PermanentError(f"casework does not handle the {decision.track.value} track")
    now = ctx.clock.now()
    gid = grievance.grievance_id
    existing = await uow.cases.for_update(gid)
    if existing is not None and handoff.revision <= existing.revision:
        log.info("stale hand-off ignored", grievance_id=gid, revision=handoff.revision, held=existing.revision)
        return
    linked_revision = await uow.repeat_links.revision_of(gid)
    if linked_revision is not None and handoff.revision <= linked_revision:
        return
    if existing is None and decision.repeat_of and await _linked_as_repeat(uow, ctx, handoff, now):
        return
    if linked_revision is not None:
        await uow.repeat_links.unlink(gid)  # a later decision says it is not a repeat after all

    lead, co, route, kind = handlers_for(ctx, decision)
    routed = [decision.departments.lead, *decision.departments.co]
    if existing is None:
        case = open_case(
            grievance_id=gid,
            tracking_no=grievance.tracking_no,
            tracking_token_hash=grievance.tracking_token_hash,
            track=decision.track,
            petition_kind=kind,
            snapshot=snapshot_of(grievance),
            lead=lead,
            co=co,
            revision=handoff.revision,
            urgent=decision.urgent,
            repeat_of=decision.repeat_of,
            routed_departments=routed,
            legal_route=route,
            now=now,
            calendar=ctx.calendar,
        )
        classify(case, decision)
        await uow.cases.add(case, now=now, calendar=ctx.calendar)
    else:
        case = existing
        try:
            dropped = reassign(
                case,
                track=decision.track,
                petition_kind=kind,
                lead=lead,
                co=co,
                revision=handoff.revision,
                urgent=decision.urgent,
                routed_departments=routed,
                legal_route=route,
                now=now,
                calendar=ctx.calendar,
            )
        except CaseError as exc:
            raise PermanentError(exc.message_zh) from exc
        classify(case, decision)
        await uow.cases.save(case, calendar=ctx.calendar)
        if dropped:
            await tell_departments(
                uow,
                ctx,
                case,
                action=DepartmentAction.withdrawn,
                message_zh=f"该诉求已重新分派至{ctx.name(case.lead)}，贵单位不再承办。",
                now=now,
                departments=dropped,
            )
    await _announce_assignment(uow, ctx, case, now=now, opened=existing is None)


async def _announce_assignment(
    uow: CaseworkUnitOfWork, ctx: CaseworkContext, case: Case, *, now: datetime, opened: bool
) -> None:
    detail = {"lead": case.lead, "co": list(case.co), "urgent": case.urgent}
    if case.track is Track.litigation:
        assert case.legal is not None
        body_name = ctx.name(case.lead)
        # A case opened just now has no notice yet: the first one needs no count.
        kind = content.DocumentKind.legal_transfer_notice
        sequence = 1 if opened else await next_document_sequence(uow, case.grievance_id, kind)
        draft = content.legal_transfer_notice(
            case, issuer=ctx.settings.bureau_name, body_name=body_name, now=now, sequence=sequence
        )
        notice = await issue_document(uow, ctx, case, draft, issued_by=ctx.settings.review_office_code, now=now)
        text = messages.transferred_legal(body_name, ROUTE_TEXT_ZH[case.legal.route])
        await tell_citizen(
            uow,
            case,
            status=Status.transferred_legal,
            message_zh=text,
            actor=ctx.settings.bureau_name,
            now=now,
            documents=[notice],
            detail=detail | {"legal_route": case.legal.route.value},
        )
        await tell_departments(uow, ctx, case, action=DepartmentAction.transferred_legal, message_zh=text, now=now)
        return
    accept_clock = case.running(Step.accept)
    assert accept_clock is not None
    if case.petition_kind is PetitionKind.report:
        text = messages.report_assigned(ctx.name(case.lead), accept_clock.due_on)
    else:
        text = messages.assigned(ctx.name(case.lead), [ctx.name(c) for c in case.co], accept_clock.due_on)
    await tell_citizen(
        uow,
        case,
        status=Status.assigned,
        message_zh=text,
        actor=ctx.settings.bureau_name,
        now=now,
        due_at=accept_clock.due_at,
        detail=detail,
    )
    department_text = (
        f"新分派诉求（{'紧急，' if case.urgent else ''}{'主办' if case.co else '承办'}：{ctx.name(case.lead)}），"
        f"请于{messages.day_zh(case.return_window_ends_on or local_date(now))}前签收或退单，"
        f"{messages.day_zh(accept_clock.due_on)}前告知是否受理。"
    )
    await tell_departments(uow, ctx, case, action=DepartmentAction.assigned, message_zh=department_text, now=now)


async def _linked_as_repeat(
    uow: CaseworkUnitOfWork, ctx: CaseworkContext, handoff: TrackHandoff, now: datetime
) -> bool:
    """§19 / §36: a repeat of an open (or finally reviewed) case is linked, not handled again."""
    grievance, decision = handoff.grievance, handoff.decision
    assert decision.repeat_of is not None
    original = await uow.cases.get(decision.repeat_of)
    if original is None or not (original.is_open or original.final):
        return False
    upcoming = original.next_deadline
    if original.final:
        outcome, text = "refused", messages.repeat_after_re_review(original.tracking_no)
    else:
        outcome = "linked"
        text = messages.repeat_linked(
            original.tracking_no, STATE_NAMES_ZH[original.state], upcoming.due_on if upcoming else None
        )
    await uow.publish(
        citizen_status(
            grievance_id=grievance.grievance_id,
            tracking_no=grievance.tracking_no,
            status=Status.not_accepted,
            stage="casework",
            message_zh=text,
            detail={
                "repeat_of": original.grievance_id,
                "repeat_of_tracking_no": original.tracking_no,
                "repeat_of_state": original.state.value,
                "outcome": outcome,
            },
            actor=ctx.settings.bureau_name,
            due_at=upcoming.due_at if upcoming and outcome == "linked" else None,
            occurred_at=now,
        ),
        subject=grievance.grievance_id,
    )
    if outcome == "linked" and original.state is not CaseState.returned:
        await tell_departments(
            uow,
            ctx,
            original,
            action=DepartmentAction.repeat_linked,
            message_zh=f"信访人就同一事项再次提出诉求（编号{grievance.tracking_no}），已并入本件，请一并答复。",
            now=now,
            detail={"repeat_grievance_id": grievance.grievance_id, "repeat_tracking_no": grievance.tracking_no},
        )
    await uow.repeat_links.link(
        grievance_id=grievance.grievance_id,
        tracking_no=grievance.tracking_no,
        open_grievance_id=original.grievance_id,
        revision=handoff.revision,
        outcome=outcome,
        now=now,
    )
    return True

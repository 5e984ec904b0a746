"""Mediation that ends without agreement: failure (人民调解法 §26) or refusal (§17). The parties get a
调解终止告知书 with their other routes and the grievance goes back to the router, exactly once."""

from __future__ import annotations

from datetime import datetime

from services.mediation.documents import TERMINATION_TITLE, render_termination_notice
from services.mediation.domain import messages
from services.mediation.domain.deadlines import local_date
from services.mediation.domain.outcomes import Reroute, TerminationNotice, default_parties, reroute_for
from services.mediation.domain.states import OUTCOME_ACTIONS, Action
from services.mediation.domain.vocabulary import Outcome, Party
from services.mediation.handlers.access import case_for, transition
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.paperwork import store_document
from services.mediation.handlers.publishing import audit, notify_offices, publish_status
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord
from services.mediation.repositories.outcomes import RerouteClaim
from shared.auth import StaffPrincipal
from shared.events.contracts import RerouteRequested
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Status, Track
from shared.logging import current_correlation_id


async def close_with_failure(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    reason: str,
    to_track: Track | None = None,
) -> None:
    case, _ = await case_for(uow, staff, case_id, lock=True)
    transition(case, Action.fail)
    now = ctx.clock.now()
    await conclude_unsuccessfully(
        uow=uow, ctx=ctx, case=case, outcome=Outcome.failure, reason=reason, now=now, to_track=to_track
    )
    await audit(uow, staff, "close_failure", case.id, {"reason": reason, "to_track": to_track}, now)
    await uow.commit()


async def conclude_unsuccessfully(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    case: CaseRecord,
    outcome: Outcome,
    reason: str,
    now: datetime,
    refusing_party: Party | None = None,
    to_track: Track | None = None,
) -> None:
    """Failure (人民调解法 §26) or refusal (§17): end the case, give the notice, and re-route once."""
    state = transition(case, OUTCOME_ACTIONS[outcome])
    route = ctx.rules.failure_route(case.dispute_kind)
    reroute = reroute_for(outcome, route, detail=reason, to_track=to_track)
    assert reroute is not None
    notice = TerminationNotice(
        tracking_no=case.tracking_no,
        office_name=case.office_name,
        mediation_type=case.mediation_type,
        parties=default_parties(case.applicant_name, case.respondent),
        facts=case.facts,
        outcome=outcome,
        reason=reason,
        routes_zh=route.routes_zh,
        next_track=reroute.to_track,
        issued_on=local_date(now),
    )
    ref = await store_document(
        uow,
        ctx,
        case,
        kind="termination_notice",
        title=TERMINATION_TITLE,
        html=render_termination_notice(notice),
        now=now,
    )
    await uow.mediation_sessions.cancel_pending(case.id)
    await uow.cases.change(
        case.id,
        now,
        state=state,
        outcome=outcome,
        concluded_at=now,
        outcome_detail={"reason": reason, "to_track": reroute.to_track.value, "document_url": ref.url},
    )
    message = (
        messages.refused(refusing_party, route.routes_zh, reroute.to_track, mediation_type=case.mediation_type)
        if outcome is Outcome.refusal and refusing_party is not None
        else messages.failed(route.routes_zh, reroute.to_track, mediation_type=case.mediation_type)
    )
    await publish_status(
        uow,
        case,
        status=Status.mediation_failed,
        message=message,
        now=now,
        documents=[ref],
        detail={"outcome": outcome.value, "to_track": reroute.to_track.value, "routes": list(route.routes_zh)},
    )
    await request_reroute(uow, case, reroute, now=now)
    await notify_offices(uow, case, notice="concluded", summary=f"调解终止：{reason}", now=now)


async def request_reroute(uow: MediationUnitOfWork, case: CaseRecord, reroute: Reroute, *, now: datetime) -> bool:
    """Hand the grievance back to the router; the reroute row makes it once per case, whatever retries."""
    event = RerouteRequested(
        grievance_id=case.grievance_id,
        tracking_no=case.tracking_no,
        reason=reroute.reason,
        from_track=Track.mediation,
        to_track=reroute.to_track,
        detail=reroute.detail,
        requested_by=case.office,
        requested_at=now,
    )
    # The event is built here so its id can be kept with the claim (what the router will see).
    cloud_event = CloudEvent(
        type=event.event_type,
        source=uow.source,
        subject=case.grievance_id,
        data=event.model_dump(mode="json"),
        correlation_id=current_correlation_id(),
    )
    claimed = await uow.reroutes.claim(
        RerouteClaim(
            mediation_id=case.id,
            grievance_id=case.grievance_id,
            reason=reroute.reason,
            to_track=reroute.to_track.value,
            event_id=cloud_event.id,
            requested_at=now,
        )
    )
    if claimed:
        await uow.publish_raw(event.topic, cloud_event)
    return claimed

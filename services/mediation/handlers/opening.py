"""Open a mediation case from the router's hand-off (grievance.track.mediation)."""

from __future__ import annotations

import uuid

from services.mediation.domain import messages
from services.mediation.domain.deadlines import mediation_due
from services.mediation.domain.states import FINAL_STATES
from services.mediation.domain.triage import Dispute, triage
from services.mediation.domain.vocabulary import DISPUTE_KIND_ZH, State
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.publishing import publish_status
from services.mediation.handlers.staffing import pick_team, staff_case
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord
from shared.events.contracts import TrackHandoff
from shared.events.vocabulary import Status, Track
from shared.kafka.consumer import PermanentError
from shared.logging import get_logger

log = get_logger(__name__)


def dispute_of(handoff: TrackHandoff) -> Dispute:
    grievance, decision = handoff.grievance, handoff.decision
    return Dispute(
        title=grievance.title,
        content=grievance.content,
        area=decision.area,
        lead_department=decision.departments.lead,
        street=grievance.street,
        respondent=grievance.respondent,
        urgent=decision.urgent,
        cluster_id=decision.cluster_id,
        repeat_of=decision.repeat_of,
    )


async def open_mediation(*, uow: MediationUnitOfWork, ctx: MediationContext, handoff: TrackHandoff) -> str | None:
    """The new case's id; None when this hand-off is already handled or a case is still running."""
    grievance, decision = handoff.grievance, handoff.decision
    if decision.track is not Track.mediation:
        raise PermanentError(f"hand-off for track {decision.track.value} reached the mediation consumer")
    # The same routing revision under another event id (a re-publish) must not open a second case.
    if await uow.cases.for_revision(grievance.grievance_id, handoff.revision) is not None:
        return None
    latest = await uow.cases.latest_for_grievance(grievance.grievance_id, lock=True)
    if latest is not None and latest.state not in FINAL_STATES | {State.closed}:
        log.info(
            "hand-off for a grievance still in mediation, keeping the running case",
            mediation_id=latest.id,
            revision=handoff.revision,
        )
        return None

    now = ctx.clock.now()
    decided = triage(ctx.rules, ctx.catalog, dispute_of(handoff))
    due = mediation_due(now, ctx.limits, decided.mediation_type)
    case = CaseRecord(
        id=str(uuid.uuid4()),
        grievance_id=grievance.grievance_id,
        revision=handoff.revision,
        tracking_no=grievance.tracking_no,
        tracking_token_hash=grievance.tracking_token_hash,
        title=grievance.title,
        facts=grievance.content,
        street=grievance.street,
        community=grievance.community,
        respondent=grievance.respondent,
        desired_outcome=grievance.desired_outcome,
        applicant_name=grievance.complainant.name_masked,
        area=decision.area.value,
        category=decision.category,
        item=decision.item,
        lead_department=decision.departments.lead,
        dispute_kind=decided.kind,
        mediation_type=decided.mediation_type,
        office=decided.office,
        office_name=decided.office_name,
        panel=decided.panel,
        triage=decided.reasons,
        state=State.opened,
        opened_at=now,
        due_at=due,
        updated_at=now,
    )
    if not await uow.cases.add(case):
        return None
    # As stored: the notices carry the database's values (its time zone), as every later event does.
    stored = await uow.cases.get(case.id)
    assert stored is not None
    case = stored
    selection = await pick_team(uow, ctx, case, opened_now=True)
    await staff_case(uow, ctx, case, selection, now=now, notice="opened")
    await publish_status(
        uow,
        case,
        status=Status.mediation_opened,
        message=messages.opened(decided.mediation_type, decided.office_name, due, decided.panel),
        now=now,
        due_at=due,
        detail={
            "dispute_kind": decided.kind.value,
            "dispute_kind_zh": DISPUTE_KIND_ZH[decided.kind],
            "panel": decided.panel,
        },
    )
    # Every opening is on the timeline and the office's topic already; the log speaks up only when
    # nobody (or not a whole panel) could be assigned, which someone must fix (one line per hand-off
    # at INFO was a fifth of a backlog's drain).
    (log.info if selection.shortfall else log.debug)(
        "mediation opened",
        mediation_id=case.id,
        mediation_type=decided.mediation_type.value,
        office=decided.office,
        mediators=[m.id for m in selection.everyone],
        shortfall=selection.shortfall,
    )
    return case.id

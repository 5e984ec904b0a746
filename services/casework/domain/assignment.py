"""Assignment: a new case in the hands of its lead (and co-handlers) or 政法 body, and a re-route
(revision > 1) superseding the assignment before it."""

from __future__ import annotations

from datetime import datetime

from services.casework.domain.calendar import WorkingCalendar, local_date
from services.casework.domain.case import Case, GrievanceSnapshot, LegalTransfer, PreviousAssignment
from services.casework.domain.deadlines import (
    ACCEPT_NOTICE_DAYS,
    LEGAL_RECEIPT_DAYS,
    RETURN_WORKING_DAYS,
    Step,
    start_deadline,
)
from services.casework.domain.legal import LegalRoute
from services.casework.domain.states import CaseState, RuleViolation
from shared.events.vocabulary import PetitionKind, Track


def assign(
    case: Case,
    *,
    track: Track,
    lead: str,
    co: list[str],
    legal_route: LegalRoute | None,
    now: datetime,
    calendar: WorkingCalendar,
) -> None:
    """Put the case in the hands of ``lead`` (and ``co``) and start the first clock of the track."""
    today = local_date(now)
    case.track = track
    case.lead = lead
    case.co = [code for code in dict.fromkeys(co) if code != lead]
    case.assigned_at = now
    if track is Track.litigation:
        if legal_route is None:
            raise ValueError("a litigation case needs the legal route of its 政法 body")
        case.state = CaseState.transferred_legal
        case.co = []
        case.return_window_ends_on = None
        case.legal = LegalTransfer(body=lead, route=legal_route, transferred_at=now)
        case.deadlines.append(
            start_deadline(Step.legal_receipt, owner=lead, now=now, days=LEGAL_RECEIPT_DAYS, calendar=calendar)
        )
    else:
        case.state = CaseState.assigned
        case.legal = None
        case.return_window_ends_on = calendar.add_working_days(today, RETURN_WORKING_DAYS)
        case.deadlines.append(
            start_deadline(Step.accept, owner=lead, now=now, days=ACCEPT_NOTICE_DAYS, calendar=calendar)
        )


def open_case(
    *,
    grievance_id: str,
    tracking_no: str,
    tracking_token_hash: str,
    track: Track,
    petition_kind: PetitionKind | None,
    snapshot: GrievanceSnapshot,
    lead: str,
    co: list[str],
    revision: int,
    urgent: bool,
    repeat_of: str | None,
    routed_departments: list[str],
    legal_route: LegalRoute | None,
    now: datetime,
    calendar: WorkingCalendar,
) -> Case:
    case = Case(
        grievance_id=grievance_id,
        tracking_no=tracking_no,
        tracking_token_hash=tracking_token_hash,
        track=track,
        petition_kind=petition_kind,
        snapshot=snapshot,
        lead=lead,
        co=[],
        revision=revision,
        urgent=urgent,
        state=CaseState.assigned,
        assigned_at=now,
        repeat_of=repeat_of,
        routed_departments=routed_departments,
    )
    assign(case, track=track, lead=lead, co=co, legal_route=legal_route, now=now, calendar=calendar)
    return case


def reassign(
    case: Case,
    *,
    track: Track,
    petition_kind: PetitionKind | None,
    lead: str,
    co: list[str],
    revision: int,
    urgent: bool,
    routed_departments: list[str],
    legal_route: LegalRoute | None,
    now: datetime,
    calendar: WorkingCalendar,
) -> list[str]:
    """A re-route (revision > 1) supersedes the current assignment; returns the departments that
    lose the case. The handling starts again from assignment; replies and reviews stay on record."""
    if case.final:
        raise RuleViolation("该事项已经复核终结，不再重新分派（《信访工作条例》第三十六条）。")
    before = case.departments
    case.history.append(
        PreviousAssignment(
            track=case.track,
            lead=case.lead,
            co=list(case.co),
            revision=case.revision,
            assigned_at=case.assigned_at,
            ended_at=now,
            ended_because="returned" if case.state is CaseState.returned else "superseded",
            detail=case.return_reason,
        )
    )
    case.cancel_running()
    case.revision = revision
    case.petition_kind = petition_kind
    case.urgent = urgent
    case.routed_departments = routed_departments
    case.co_opinions = []
    case.signed_for_at = None
    case.return_reason = None
    case.accepted_at = None
    case.not_acceptance = None
    case.extension = None
    case.closed_at = None
    assign(case, track=track, lead=lead, co=co, legal_route=legal_route, now=now, calendar=calendar)
    return [code for code in before if code not in case.departments]

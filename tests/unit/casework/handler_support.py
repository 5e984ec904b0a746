"""What the handler tests share: a context on a clock the test moves, routing hand-offs as the
router sends them, staff principals, and reading the events a fake unit of work committed."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from services.casework.documents.render import DocumentRenderer
from services.casework.domain.calendar import WorkingCalendar
from services.casework.handlers.context import CaseworkContext
from services.casework.settings import Settings
from shared.auth import StaffPrincipal
from shared.catalog import load_catalog
from shared.clock import ManualClock
from shared.events.contracts import (
    ComplainantView,
    Departments,
    GrievanceReceived,
    GrievanceStatusChanged,
    RoutingDecision,
    TrackHandoff,
)
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_STATUS, department_topic
from shared.events.vocabulary import Area, Channel, PetitionKind, Role, Track
from shared.pii import token_hash
from tests.support.fake_uow import FakeUnitOfWork
from tests.unit.casework.helpers import CALENDAR, at

START = at(date(2026, 3, 2))  # a Monday, 10:00 in Shenzhen
RENDERER = DocumentRenderer()  # one per test session: the font loads once


def make_context(clock: ManualClock, calendar: WorkingCalendar = CALENDAR) -> CaseworkContext:
    return CaseworkContext(
        settings=Settings(), clock=clock, calendar=calendar, catalog=load_catalog(), renderer=RENDERER
    )


def officer(department: str, subject: str | None = None) -> StaffPrincipal:
    return StaffPrincipal(
        subject=subject or f"officer-{department}", role=Role.department_officer, department=department
    )


SUPERVISOR = StaffPrincipal(subject="supervisor-1", role=Role.supervisor, department=None)


def handoff(
    *,
    lead: str = "housing",
    co: tuple[str, ...] = (),
    kind: PetitionKind | None = PetitionKind.claim,
    track: Track = Track.petition,
    revision: int = 1,
    repeat_of: str | None = None,
    grievance_id: str | None = None,
    token: str = "the-citizens-token",  # noqa: S107 - a test citizen's tracking token
) -> TrackHandoff:
    grievance_id = grievance_id or str(uuid.uuid4())
    grievance = GrievanceReceived(
        grievance_id=grievance_id,
        tracking_no=f"GM-20260302-{uuid.UUID(grievance_id).int % 1_000_000:06d}",
        tracking_token_hash=token_hash(token),
        channel=Channel.portal,
        received_at=START - timedelta(days=1),
        title="小区门口积水严重",
        content="每次下雨将石社区二巷门口积水到小腿，排水沟堵了好久，请尽快疏通。",
        street="马田街道",
        community="将石",
        respondent="马田街道办",
        complainant=ComplainantView(name_masked="陈**", phone_masked="136****5678"),
    )
    decision = RoutingDecision(
        track=track,
        petition_kind=kind if track is Track.petition else None,
        area=Area.urban_rural_construction,
        departments=Departments(lead=lead, co=list(co)),
        repeat_of=repeat_of,
        confidence=0.9,
    )
    return TrackHandoff(grievance=grievance, decision=decision, revision=revision, handed_off_at=START)


def as_event(payload: TrackHandoff) -> CloudEvent:
    return CloudEvent(
        type=payload.event_type,
        source="/grievance-platform/router",
        subject=payload.grievance.grievance_id,
        data=payload.model_dump(mode="json"),
    )


def statuses(uow: FakeUnitOfWork, grievance_id: str | None = None) -> list[GrievanceStatusChanged]:
    """The citizen's timeline as committed, in order."""
    return [
        GrievanceStatusChanged.model_validate(event.data)
        for topic, event in uow.events
        if topic == GRIEVANCE_STATUS and (grievance_id is None or event.subject == grievance_id)
    ]


def department_events(uow: FakeUnitOfWork, department: str) -> list[dict[str, Any]]:
    """What one department read on its own topic, in order."""
    return [dict(event.data) for topic, event in uow.events if topic == department_topic(department)]

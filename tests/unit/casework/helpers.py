"""Building cases for domain tests: a fixed calendar (the packaged 2026 data) and moments in
the bureau's local time."""

from __future__ import annotations

from datetime import date, datetime, time

from services.casework.calendars import load_calendar
from services.casework.domain.assignment import open_case
from services.casework.domain.calendar import WorkingCalendar
from services.casework.domain.case import Case, GrievanceSnapshot
from services.casework.domain.legal import LegalRoute
from services.casework.domain.states import CaseState
from shared.clock import CHINA_TZ
from shared.events.vocabulary import PetitionKind, Track

CALENDAR: WorkingCalendar = load_calendar()


def at(day: date, hour: int = 10) -> datetime:
    """A moment on a local date (10:00 in Shenzhen unless said otherwise)."""
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ)


def state_of(case: Case) -> CaseState:
    """The case's state, read through a call: mypy keeps an ``assert case.state is X`` narrowing
    across the transition that follows, so a second assert on the attribute looks impossible."""
    return case.state


def snapshot(received: datetime) -> GrievanceSnapshot:
    return GrievanceSnapshot(
        title="小区门口积水严重",
        content="每次下雨将石社区二巷门口积水到小腿，排水沟堵了好久。",
        received_at=received,
        channel="portal",
        street="马田街道",
        community="将石",
        respondent="马田街道办",
        desired_outcome="疏通排水沟",
        attachments=["https://files.example.org/photo-1.jpg"],
        complainant_name_masked="陈**",
        complainant_phone_masked="136****5678",
    )


def new_case(
    now: datetime,
    *,
    kind: PetitionKind | None = PetitionKind.claim,
    lead: str = "housing",
    co: tuple[str, ...] = (),
    track: Track = Track.petition,
    route: LegalRoute | None = None,
) -> Case:
    return open_case(
        grievance_id="g-1",
        tracking_no="GM-20260302-000001",
        tracking_token_hash="0" * 64,
        track=track,
        petition_kind=kind if track is Track.petition else None,
        snapshot=snapshot(now),
        lead=lead,
        co=list(co),
        revision=1,
        urgent=False,
        repeat_of=None,
        routed_departments=[lead, *co],
        legal_route=route,
        now=now,
        calendar=CALENDAR,
    )

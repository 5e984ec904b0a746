"""Sessions (调解会) on in-memory repositories: scheduled in the future only, moved, held and
recorded with attendance and minutes (调解笔录)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.mediation.domain.vocabulary import SessionState, State
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.progress import record_session, reschedule_session, schedule_session
from shared.events.contracts import GrievanceStatusChanged
from shared.problems import Problem
from tests.unit.mediation.builders import START, case_in_mediation, clock_of, context, ready_uow, refusal
from tests.unit.mediation.fakes import FakeMediationUow

STATUS = GrievanceStatusChanged.event_type


@pytest.fixture
def ctx() -> MediationContext:
    return context()


@pytest.fixture
async def uow(ctx: MediationContext) -> FakeMediationUow:
    return await ready_uow(ctx)


async def test_a_session_in_the_past_is_refused(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case, staff = await case_in_mediation(uow, ctx)

    async with uow:
        with pytest.raises(Problem) as refused:
            await schedule_session(
                uow=uow,
                ctx=ctx,
                staff=staff,
                case_id=case.id,
                scheduled_for=START - timedelta(hours=1),
                location="公明司法所",
            )

    assert refusal(refused.value) == (422, "session-in-past")
    assert uow.db.sessions == []
    assert uow.db.cases[case.id].state is State.in_mediation


async def test_schedule_move_and_record_a_session(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case, staff = await case_in_mediation(uow, ctx)
    when = START + timedelta(days=3)

    async with uow:
        number = await schedule_session(
            uow=uow, ctx=ctx, staff=staff, case_id=case.id, scheduled_for=when, location="公明司法所调解室"
        )
    assert number == 1
    assert uow.db.cases[case.id].state is State.scheduled
    assert uow.published_of(STATUS)[-1]["status"] == "mediation_scheduled"

    later = when + timedelta(days=1)
    async with uow:
        await reschedule_session(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=case.id,
            number=1,
            scheduled_for=later,
            location=None,
            reason="当事人出差",
        )
    moved = uow.db.sessions[0]
    assert (moved.scheduled_for, moved.location, moved.reschedule_count) == (later, "公明司法所调解室", 1)
    assert uow.published_of(STATUS)[-1]["detail"]["rescheduled"] is True

    clock_of(ctx).set(later + timedelta(hours=2))
    async with uow:
        await record_session(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=case.id,
            number=1,
            held_at=None,
            attendance=[{"party": "applicant", "present": True, "note": ""}],
            minutes="双方陈述意见。",
        )
    held = uow.db.sessions[0]
    assert held.state is SessionState.held
    assert held.minutes == "双方陈述意见。"
    assert uow.db.cases[case.id].state is State.in_mediation


async def test_recording_a_session_not_pending_is_not_found(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case, staff = await case_in_mediation(uow, ctx)
    async with uow:
        await schedule_session(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=case.id,
            scheduled_for=START + timedelta(days=1),
            location="公明司法所",
        )

    async with uow:
        with pytest.raises(Problem) as refused:
            await reschedule_session(
                uow=uow,
                ctx=ctx,
                staff=staff,
                case_id=case.id,
                number=2,
                scheduled_for=START + timedelta(days=2),
                location=None,
                reason="改期",
            )

    assert refusal(refused.value) == (404, "session-not-found")
    assert uow.db.sessions[0].reschedule_count == 0

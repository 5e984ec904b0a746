"""The bureau's oversight use cases on in-memory repositories (fakes.py): recommendations (§40)
with their written answers and 督办, assistance referrals (§37), and the overdue list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.casework.domain.recommendation import (
    Adoption,
    AlreadyAnswered,
    RecommendationKind,
    RecommendationState,
)
from services.casework.domain.states import RuleViolation
from services.casework.handlers import assistance, recommendation, statistics
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.handoff import take_handoff
from services.casework.handlers.oversight import RecordNotFound, UnknownDepartment
from services.casework.schemas.oversight import (
    AssistanceCreate,
    AssistanceOutcomeRequest,
    RecommendationAnswer,
    RecommendationCreate,
)
from shared.assistance import Outcome, Scheme
from shared.clock import ManualClock
from shared.events.department import RecommendationNotice
from shared.events.topics import department_topic
from shared.events.vocabulary import Status
from shared.statistics_params import Period
from tests.unit.casework.fakes import FakeCaseworkUow
from tests.unit.casework.handler_support import START, SUPERVISOR, handoff, make_context, officer, statuses


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def ctx(clock: ManualClock) -> CaseworkContext:
    return make_context(clock)


@pytest.fixture
def uow() -> FakeCaseworkUow:
    return FakeCaseworkUow()


async def a_case(uow: FakeCaseworkUow, ctx: CaseworkContext) -> str:
    payload = handoff()
    async with uow:
        await take_handoff(uow=uow, ctx=ctx, handoff=payload)
        await uow.commit()
    return payload.grievance.grievance_id


def proposal(grievance_ids: list[str], department: str = "water") -> RecommendationCreate:
    return RecommendationCreate(
        kind=RecommendationKind.improve_work,
        department=department,
        title="雨季前排查排水设施",
        reasons="同一社区三个月内多次反映积水。",
        grievance_ids=grievance_ids,
        due_on=date(2026, 4, 1),
    )


async def test_a_recommendation_is_issued_answered_and_counted(uow: FakeCaseworkUow, ctx: CaseworkContext) -> None:
    gid = await a_case(uow, ctx)
    async with uow:
        issued = await recommendation.issue(uow=uow, ctx=ctx, staff=SUPERVISOR, body=proposal([gid]))
        await uow.commit()
    [(topic, notice)] = [(t, e) for t, e in uow.events if e.type == RecommendationNotice.event_type]
    assert topic == department_topic("water") and notice.data["action"] == "issued"

    answer = RecommendationAnswer(adoption=Adoption.adopted, answer="已制定雨季排查计划。")
    async with uow:
        answered = await recommendation.answer(
            uow=uow, ctx=ctx, staff=officer("water"), recommendation_id=issued.id, body=answer
        )
        await uow.commit()
    assert answered.state is RecommendationState.answered and answered.answered_late is False
    async with uow:
        counted = await recommendation.statistics(uow=uow, ctx=ctx, since=None, until=None)
    [row] = counted.rows
    assert (row.issued, row.answered, row.adopted, row.adoption_rate) == (1, 1, 1, 1.0)
    assert uow.audit.actions() == ["IssueRecommendation", "AnswerRecommendation"]


async def test_only_the_agency_answers_and_only_once(uow: FakeCaseworkUow, ctx: CaseworkContext) -> None:
    async with uow:
        issued = await recommendation.issue(uow=uow, ctx=ctx, staff=SUPERVISOR, body=proposal([]))
        await uow.commit()
    answer = RecommendationAnswer(adoption=Adoption.not_adopted, answer="现行政策已有规定。")

    with pytest.raises(RecordNotFound):
        async with uow:
            await recommendation.answer(
                uow=uow, ctx=ctx, staff=officer("housing"), recommendation_id=issued.id, body=answer
            )
    assert [row["action"] for row in uow.audit.apart] == ["AnswerRecommendation"]

    async with uow:
        await recommendation.answer(uow=uow, ctx=ctx, staff=officer("water"), recommendation_id=issued.id, body=answer)
        await uow.commit()
    with pytest.raises(AlreadyAnswered):
        async with uow:
            await recommendation.answer(
                uow=uow, ctx=ctx, staff=officer("water"), recommendation_id=issued.id, body=answer
            )
    assert uow.recommendations.rows[issued.id].adoption == Adoption.not_adopted.value


async def test_a_bad_recommendation_changes_nothing(uow: FakeCaseworkUow, ctx: CaseworkContext) -> None:
    with pytest.raises(RuleViolation, match="no-such-case"):
        async with uow:
            await recommendation.issue(uow=uow, ctx=ctx, staff=SUPERVISOR, body=proposal(["no-such-case"]))
    with pytest.raises(UnknownDepartment):
        async with uow:
            await recommendation.issue(uow=uow, ctx=ctx, staff=SUPERVISOR, body=proposal([], department="nowhere"))
    assert uow.recommendations.rows == {} and uow.events == []


async def test_an_unanswered_recommendation_is_supervised_once(
    uow: FakeCaseworkUow, ctx: CaseworkContext, clock: ManualClock
) -> None:
    async with uow:
        await recommendation.issue(uow=uow, ctx=ctx, staff=SUPERVISOR, body=proposal([]))
        await uow.commit()
    assert await recommendation.supervise_overdue(uow_factory=uow.factory, ctx=ctx) == 0
    clock.set(START + timedelta(days=40))
    assert await recommendation.supervise_overdue(uow_factory=uow.factory, ctx=ctx) == 1
    assert await recommendation.supervise_overdue(uow_factory=uow.factory, ctx=ctx) == 0
    assert [e.data["action"] for t, e in uow.events if t == department_topic("water")] == ["issued", "supervised"]


async def test_an_assistance_referral_and_its_outcome_reach_the_citizen(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    gid = await a_case(uow, ctx)
    referral = AssistanceCreate(
        scheme=Scheme.temporary, referred_to="civil-affairs", hardship="家中房屋被淹，生活困难。"
    )
    async with uow:
        made = await assistance.refer(uow=uow, ctx=ctx, staff=officer("housing"), grievance_id=gid, body=referral)
        await uow.commit()
    granted = AssistanceOutcomeRequest(outcome=Outcome.granted, note="已发放临时救助金")
    async with uow:
        done = await assistance.record_outcome(
            uow=uow, ctx=ctx, staff=officer("housing"), grievance_id=gid, referral_id=made.id, body=granted
        )
        await uow.commit()
    assert (made.outcome, done.outcome) == (Outcome.pending, Outcome.granted)
    assert [s.status for s in statuses(uow, gid)][-2:] == [Status.assistance_referred, Status.assistance_concluded]
    async with uow:
        counted = await assistance.statistics(uow=uow, since=None, until=None)
    assert counted.total == 1 and counted.rows[0].outcome is Outcome.granted


async def test_the_overdue_list_names_the_late_department_and_step(
    uow: FakeCaseworkUow, ctx: CaseworkContext, clock: ManualClock
) -> None:
    gid = await a_case(uow, ctx)
    clock.set(START + timedelta(days=20))
    async with uow:
        listed = await statistics.overdue_clocks(
            uow=uow, ctx=ctx, period=Period(), department=None, step=None, limit=10, offset=0
        )
    [late] = listed.items
    assert (late.grievance_id, late.owner.code, late.step.value, late.supervised) == (gid, "housing", "accept", False)
    assert late.days_overdue > 0

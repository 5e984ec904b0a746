"""Projecting events into the citizen's timeline (handlers/projection.py), through the consumer's
handler table, against in-memory repositories."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.feedback.consumers import HANDLERS, TOPICS
from services.feedback.domain.grievance import GrievanceNotFound
from services.feedback.handlers import queries
from services.feedback.stream.notices import KnownNotice, TimelineNotice, decode_notice
from shared.clock import ManualClock
from shared.events import topics
from shared.events.contracts import GrievanceReceived, GrievanceRouted, GrievanceStatusChanged
from shared.events.vocabulary import Status
from tests.unit.feedback.fakes import T0, FakeFeedbackUow
from tests.unit.feedback.scenario import DEPARTMENT, TOKEN, consume, context, envelope, received, routed, status


def test_the_handler_table_covers_what_the_group_subscribes_to() -> None:
    assert set(HANDLERS) == {
        GrievanceReceived.event_type,
        GrievanceStatusChanged.event_type,
        GrievanceRouted.event_type,
    }
    assert set(TOPICS) == {topics.GRIEVANCE_RECEIVED, topics.GRIEVANCE_STATUS, topics.GRIEVANCE_ROUTED}


async def test_statuses_are_numbered_in_order_and_announced(uow: FakeFeedbackUow, clock: ManualClock) -> None:
    ctx = context(clock)
    filed = received(T0)
    steps = (Status.received, Status.classified, Status.assigned)
    await consume(
        uow, ctx, envelope(filed), *(envelope(status(filed, s, T0 + timedelta(minutes=i))) for i, s in enumerate(steps))
    )

    entries = uow.tables.timeline[filed.grievance_id]
    assert [(e.sequence, e.status, e.status_label) for e in entries] == [
        (1, "received", "已登记"),
        (2, "classified", "已分类"),
        (3, "assigned", "已分派"),
    ]
    assert entries[2].actor == DEPARTMENT
    notices = [decode_notice(payload) for payload in uow.tables.notices]
    assert notices[0] == KnownNotice(filed.tracking_no)  # streams held for the new number may open
    assert [(n.grievance_id, n.seq) for n in notices if isinstance(n, TimelineNotice)] == [
        (filed.grievance_id, s) for s in (1, 2, 3)
    ]
    assert uow.events == []  # projecting publishes nothing


async def test_a_status_before_the_grievance_is_kept_but_not_shown_until_it_is_known(
    uow: FakeFeedbackUow, clock: ManualClock
) -> None:
    ctx = context(clock)
    filed = received(T0)
    await consume(uow, ctx, envelope(status(filed, Status.received, T0)))

    assert [e.sequence for e in uow.tables.timeline[filed.grievance_id]] == [1]
    assert uow.tables.notices == []  # no stream may open it yet, so none is told
    async with uow:
        with pytest.raises(GrievanceNotFound):
            await queries.read_timeline(uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=TOKEN)

    await consume(uow, ctx, envelope(filed, source="/grievance-platform/intake"))
    assert [decode_notice(payload) for payload in uow.tables.notices] == [KnownNotice(filed.tracking_no)]
    async with uow:
        timeline = await queries.read_timeline(uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=TOKEN)
    assert [e.status for e in timeline.entries] == ["received"]
    assert timeline.channel == "portal"


async def test_the_same_event_delivered_twice_is_recorded_once(uow: FakeFeedbackUow, clock: ManualClock) -> None:
    ctx = context(clock)
    filed = received(T0)
    replied = envelope(status(filed, Status.replied, T0))
    await consume(uow, ctx, envelope(filed), replied, replied)

    assert [e.sequence for e in uow.tables.timeline[filed.grievance_id]] == [1]
    assert uow.tables.grievances[filed.grievance_id].answer_round == 1


async def test_answers_open_rounds_and_a_reopen_closes_one(uow: FakeFeedbackUow, clock: ManualClock) -> None:
    ctx = context(clock)
    filed = received(T0)
    first, second = T0 + timedelta(days=3), T0 + timedelta(days=9)
    await consume(
        uow,
        ctx,
        envelope(filed),
        envelope(status(filed, Status.replied, first)),
        envelope(status(filed, Status.reopened, first + timedelta(days=1), actor="光明区信访局")),
    )
    grievance = uow.tables.grievances[filed.grievance_id]
    assert (grievance.answered_at, grievance.answer_round, grievance.answered_by) == (None, 1, DEPARTMENT)

    await consume(uow, ctx, envelope(status(filed, Status.replied, second, actor="光明区水务局")))
    grievance = uow.tables.grievances[filed.grievance_id]
    assert (grievance.answered_at, grievance.answer_round, grievance.answered_by) == (second, 2, "光明区水务局")


async def test_a_newer_routing_decision_wins_and_an_older_one_changes_nothing(
    uow: FakeFeedbackUow, clock: ManualClock
) -> None:
    ctx = context(clock)
    filed = received(T0)
    newer = routed(filed, T0 + timedelta(hours=2), revision=2, lead="water")
    older = routed(filed, T0 + timedelta(hours=1), revision=1, lead="housing")
    await consume(uow, ctx, envelope(newer, source="/grievance-platform/router"))
    await consume(uow, ctx, envelope(older, source="/grievance-platform/router"))

    kept = uow.tables.routings[filed.grievance_id]
    assert (kept.revision, kept.lead_department) == (2, "water")

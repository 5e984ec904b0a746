"""The reads (handlers/queries.py): the citizen's timeline with what they may do next, a
stream's next entries, and the supervisors' satisfaction figures."""

from __future__ import annotations

from datetime import timedelta

from services.feedback.domain.grievance import RatingRecord
from services.feedback.handlers import follow_up, queries
from shared.clock import ManualClock
from shared.events.vocabulary import Rating, Status, Track
from tests.unit.feedback.fakes import T0, FakeFeedbackUow
from tests.unit.feedback.scenario import TOKEN, consume, context, envelope, received, routed, status


async def test_a_known_grievance_without_statuses_reads_as_registered(uow: FakeFeedbackUow, clock: ManualClock) -> None:
    ctx = context(clock)
    filed = received(T0)
    await consume(uow, ctx, envelope(filed))
    async with uow:
        timeline = await queries.read_timeline(uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=TOKEN)
    assert (timeline.status, timeline.status_label, timeline.last_sequence, timeline.entries) == (
        "received",
        "已登记",
        0,
        [],
    )
    assert timeline.follow_up.can_rate is False
    assert timeline.follow_up.window_ends_at is None


async def test_the_timeline_says_what_the_citizen_may_do_after_an_answer(
    uow: FakeFeedbackUow, clock: ManualClock
) -> None:
    ctx = context(clock)
    filed = received(T0)
    replied_at = T0 + timedelta(days=4)
    await consume(
        uow,
        ctx,
        envelope(filed),
        envelope(status(filed, Status.assigned, T0 + timedelta(hours=1))),
        envelope(status(filed, Status.replied, replied_at)),
    )
    clock.set(replied_at + timedelta(days=1))
    async with uow:
        before = await queries.read_timeline(uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=TOKEN)
    assert (before.status, before.status_label, before.last_sequence) == ("replied", "已答复", 2)
    assert [e.sequence for e in before.entries] == [1, 2]
    assert (before.follow_up.can_rate, before.follow_up.can_request_review) == (True, True)
    assert before.follow_up.can_request_re_review is False
    assert before.follow_up.window_ends_at == replied_at + ctx.review_window
    assert before.follow_up.last_rating is None

    async with uow:
        await follow_up.rate(
            uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=TOKEN, rating=Rating.dissatisfied, comment="没修好"
        )
        after = await queries.read_timeline(uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=TOKEN)
    assert after.follow_up.can_rate is False
    assert after.follow_up.last_rating is not None
    assert (after.follow_up.last_rating.rating_label, after.follow_up.last_rating.reopen_requested) == ("不满意", True)

    clock.set(replied_at + ctx.review_window + timedelta(seconds=1))
    async with uow:
        late = await queries.read_timeline(uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=TOKEN)
    assert late.follow_up.can_request_review is False


async def test_a_stream_reads_only_the_entries_after_its_last(uow: FakeFeedbackUow, clock: ManualClock) -> None:
    ctx = context(clock)
    filed = received(T0)
    await consume(uow, ctx, envelope(filed), *(envelope(status(filed, Status.in_progress, T0)) for _ in range(5)))
    async with uow:
        entries = await queries.entries_after(uow=uow, grievance_id=filed.grievance_id, after_seq=2, limit=2)
    assert [e.sequence for e in entries] == [3, 4]


def rating(grievance_id: str, value: Rating, at_day: int, *, reopen: bool = False) -> RatingRecord:
    return RatingRecord(
        grievance_id=grievance_id,
        round=1,
        rating=value,
        comment="",
        within_window=True,
        reopen_requested=reopen,
        answered_at=T0,
        answered_by=None,
        submitted_at=T0 + timedelta(days=at_day),
    )


async def test_satisfaction_figures_per_track_and_department_and_the_repeat_rate(
    uow: FakeFeedbackUow, clock: ManualClock
) -> None:
    ctx = context(clock)
    petition, mediation, other, outside = (received(T0) for _ in range(4))
    await consume(
        uow,
        ctx,
        envelope(routed(petition, T0, lead="housing")),
        envelope(routed(mediation, T0, track=Track.mediation, lead="justice", repeat_of="g-earlier")),
        envelope(routed(other, T0, lead="housing")),
        envelope(routed(outside, T0 + timedelta(days=40), lead="water")),
    )
    uow.tables.ratings.extend(
        [
            rating(petition.grievance_id, Rating.satisfied, 1),
            rating(mediation.grievance_id, Rating.dissatisfied, 2, reopen=True),
            rating(other.grievance_id, Rating.basically_satisfied, 3),
            rating(outside.grievance_id, Rating.satisfied, 40),  # outside the period
        ]
    )
    async with uow:
        figures = await queries.satisfaction_statistics(uow=uow, since=T0, until=T0 + timedelta(days=30))

    assert (figures.overall.total, figures.overall.satisfied, figures.overall.reopen_requested) == (3, 1, 1)
    assert figures.overall.satisfaction_rate == round(2 / 3, 4)
    assert figures.overall.reopen_rate == round(1 / 3, 4)
    assert [(g.key, g.total) for g in figures.by_track] == [("petition", 2), ("mediation", 1)]
    assert [(g.key, g.total, g.dissatisfied) for g in figures.by_department] == [("housing", 2, 0), ("justice", 1, 1)]
    assert (figures.repeat.routed, figures.repeat.repeats, figures.repeat.repeat_rate) == (3, 1, round(1 / 3, 4))


async def test_no_ratings_give_no_rate_rather_than_zero(uow: FakeFeedbackUow) -> None:
    async with uow:
        figures = await queries.satisfaction_statistics(uow=uow, since=None, until=None)
    assert figures.overall.total == 0
    assert figures.overall.satisfaction_rate is None
    assert figures.repeat.repeat_rate is None

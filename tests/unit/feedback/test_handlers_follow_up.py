"""The citizen's actions after an answer (handlers/follow_up.py): 回访 rating with 不满意 → 重办,
复查 and 复核; what they record, what they publish, and what they refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.feedback.domain.follow_up import FollowUpRefused
from services.feedback.domain.grievance import GrievanceNotFound
from services.feedback.handlers import follow_up
from services.feedback.handlers.context import FeedbackContext
from shared.clock import ManualClock
from shared.events import topics
from shared.events.contracts import CitizenReviewRequested, GrievanceReceived, GrievanceStatusChanged, RatingSubmitted
from shared.events.vocabulary import Rating, Status
from tests.unit.feedback.fakes import T0, FakeFeedbackUow
from tests.unit.feedback.scenario import TOKEN, consume, context, envelope, received, status

REPLIED_AT = T0 + timedelta(days=5)


@pytest.fixture
def ctx(clock: ManualClock) -> FeedbackContext:
    return context(clock)


async def filed_and_replied(uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock) -> GrievanceReceived:
    filed = received(T0)
    await consume(uow, ctx, envelope(filed), envelope(status(filed, Status.replied, REPLIED_AT)))
    clock.set(REPLIED_AT + timedelta(days=2))
    return filed


async def rate(uow: FakeFeedbackUow, ctx: FeedbackContext, filed: GrievanceReceived, rating: Rating) -> None:
    async with uow:
        await follow_up.rate(uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=TOKEN, rating=rating, comment="")


async def test_a_rating_is_recorded_and_told_to_the_handler_and_the_citizen(
    uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock
) -> None:
    filed = await filed_and_replied(uow, ctx, clock)
    async with uow:
        accepted = await follow_up.rate(
            uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=TOKEN, rating=Rating.satisfied, comment="很及时"
        )

    assert (accepted.reopen_requested, accepted.within_window) == (False, True)
    assert accepted.message_zh == "您的评价：满意。感谢您的反馈。"
    [record] = uow.tables.ratings
    assert (record.round, record.rating, record.comment, record.answered_at) == (
        1,
        Rating.satisfied,
        "很及时",
        REPLIED_AT,
    )
    assert [(topic, event.type) for topic, event in uow.events] == [
        (topics.GRIEVANCE_FEEDBACK, RatingSubmitted.event_type),
        (topics.GRIEVANCE_STATUS, GrievanceStatusChanged.event_type),
    ]
    submitted = RatingSubmitted.model_validate(uow.events[0][1].data)
    assert (submitted.grievance_id, submitted.rating, submitted.reopen_requested) == (
        filed.grievance_id,
        Rating.satisfied,
        False,
    )
    rated = GrievanceStatusChanged.model_validate(uow.events[1][1].data)
    assert (rated.status, rated.stage, rated.detail["round"]) == (Status.rated, "feedback", 1)
    assert all(event.subject == filed.grievance_id for _, event in uow.events)


async def test_dissatisfied_within_the_window_asks_for_reopening(
    uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock
) -> None:
    filed = await filed_and_replied(uow, ctx, clock)
    await rate(uow, ctx, filed, Rating.dissatisfied)

    submitted = RatingSubmitted.model_validate(uow.events[0][1].data)
    assert submitted.reopen_requested is True
    assert "重办" in GrievanceStatusChanged.model_validate(uow.events[1][1].data).message_zh


async def test_dissatisfied_after_the_window_is_recorded_but_reopens_nothing(
    uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock
) -> None:
    filed = await filed_and_replied(uow, ctx, clock)
    clock.set(REPLIED_AT + ctx.review_window + timedelta(minutes=1))
    await rate(uow, ctx, filed, Rating.dissatisfied)

    [record] = uow.tables.ratings
    assert (record.within_window, record.reopen_requested) == (False, False)
    assert RatingSubmitted.model_validate(uow.events[0][1].data).reopen_requested is False


async def test_rating_before_an_answer_or_twice_is_refused_and_changes_nothing(
    uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock
) -> None:
    filed = received(T0)
    await consume(uow, ctx, envelope(filed), envelope(status(filed, Status.in_progress, T0)))
    with pytest.raises(FollowUpRefused) as not_answered:
        await rate(uow, ctx, filed, Rating.satisfied)
    assert not_answered.value.code == "not-answered"
    assert (uow.tables.ratings, uow.events) == ([], [])

    await consume(uow, ctx, envelope(status(filed, Status.replied, REPLIED_AT)))
    await rate(uow, ctx, filed, Rating.satisfied)
    published = len(uow.events)
    with pytest.raises(FollowUpRefused) as twice:
        await rate(uow, ctx, filed, Rating.dissatisfied)
    assert twice.value.code == "already-rated"
    assert len(uow.tables.ratings) == 1
    assert len(uow.events) == published


async def test_a_new_answer_after_reopening_may_be_rated_again(
    uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock
) -> None:
    filed = await filed_and_replied(uow, ctx, clock)
    await rate(uow, ctx, filed, Rating.dissatisfied)
    again = REPLIED_AT + timedelta(days=10)
    await consume(
        uow,
        ctx,
        envelope(status(filed, Status.reopened, REPLIED_AT + timedelta(days=3))),
        envelope(status(filed, Status.replied, again)),
    )
    clock.set(again + timedelta(days=1))
    await rate(uow, ctx, filed, Rating.basically_satisfied)

    assert [(r.round, r.rating) for r in uow.tables.ratings] == [
        (1, Rating.dissatisfied),
        (2, Rating.basically_satisfied),
    ]


@pytest.mark.parametrize("token", [None, "", "someone-elses-token"])
async def test_a_wrong_token_opens_nothing(
    uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock, token: str | None
) -> None:
    filed = await filed_and_replied(uow, ctx, clock)
    async with uow:
        with pytest.raises(GrievanceNotFound):
            await follow_up.rate(
                uow=uow, ctx=ctx, tracking_no=filed.tracking_no, token=token, rating=Rating.satisfied, comment=""
            )
        with pytest.raises(GrievanceNotFound):
            await follow_up.rate(
                uow=uow, ctx=ctx, tracking_no="GM-20991231-999999", token=TOKEN, rating=Rating.satisfied, comment=""
            )
    assert (uow.tables.ratings, uow.events) == ([], [])


async def request(uow: FakeFeedbackUow, ctx: FeedbackContext, filed: GrievanceReceived, level: str) -> None:
    async with uow:
        await follow_up.request_review(
            uow=uow,
            ctx=ctx,
            tracking_no=filed.tracking_no,
            token=TOKEN,
            level="review" if level == "review" else "re_review",
            reason="答复没有解决路灯问题",
        )


async def test_review_then_re_review_each_once(uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock) -> None:
    filed = await filed_and_replied(uow, ctx, clock)
    with pytest.raises(FollowUpRefused) as early:
        await request(uow, ctx, filed, "re_review")
    assert early.value.code == "no-review-decision"

    await request(uow, ctx, filed, "review")
    asked = CitizenReviewRequested.model_validate(uow.events[0][1].data)
    assert (asked.level, asked.reason) == ("review", "答复没有解决路灯问题")
    assert GrievanceStatusChanged.model_validate(uow.events[1][1].data).status is Status.review_requested
    with pytest.raises(FollowUpRefused) as again:
        await request(uow, ctx, filed, "review")
    assert again.value.code == "already-requested"

    decided = REPLIED_AT + timedelta(days=20)
    await consume(uow, ctx, envelope(status(filed, Status.review_decided, decided)))
    clock.set(decided + timedelta(days=1))
    await request(uow, ctx, filed, "re_review")
    assert sorted(r.level for r in uow.tables.review_requests) == ["re_review", "review"]
    with pytest.raises(FollowUpRefused) as final:
        await request(uow, ctx, filed, "re_review")
    assert final.value.code == "already-requested"


async def test_a_review_after_the_window_is_refused(
    uow: FakeFeedbackUow, ctx: FeedbackContext, clock: ManualClock
) -> None:
    filed = await filed_and_replied(uow, ctx, clock)
    clock.set(REPLIED_AT + ctx.review_window + timedelta(seconds=1))
    with pytest.raises(FollowUpRefused) as late:
        await request(uow, ctx, filed, "review")
    assert late.value.code == "window-closed"
    assert (uow.tables.review_requests, uow.events) == ([], [])

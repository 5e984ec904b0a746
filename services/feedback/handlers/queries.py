"""Read use cases: the citizen's timeline with what they may do next, the entries a live stream
sends, and the supervisors' satisfaction statistics. They never commit."""

from __future__ import annotations

from datetime import datetime

from services.feedback.domain.follow_up import can_rate, window_end
from services.feedback.domain.labels import RATING_LABELS_ZH, status_label
from services.feedback.domain.statistics import GROUPINGS, SatisfactionFigures
from services.feedback.handlers.access import follow_up_state, grievance_for_citizen
from services.feedback.handlers.context import FeedbackContext
from services.feedback.handlers.projection import WHOLE_TIMELINE
from services.feedback.repositories import FeedbackUnitOfWork
from services.feedback.schemas import (
    FollowUpRead,
    GroupCounts,
    RatingCounts,
    RatingRead,
    RepeatFigures,
    SatisfactionStatistics,
    TimelineEntryRead,
    TimelineRead,
)
from shared.events.vocabulary import Status


async def read_timeline(
    *, uow: FeedbackUnitOfWork, ctx: FeedbackContext, tracking_no: str, token: str | None
) -> TimelineRead:
    grievance = await grievance_for_citizen(uow=uow, tracking_no=tracking_no, token=token)
    entries = await uow.timeline.after(grievance.grievance_id, after_seq=0, limit=WHOLE_TIMELINE)
    state = await follow_up_state(uow=uow, grievance=grievance)
    now = ctx.clock.now()
    window = ctx.review_window
    answer_window_open = state.answered_at is not None and now <= window_end(state.answered_at, window)
    re_review_open = state.review_decided_at is not None and now <= window_end(state.review_decided_at, window)
    # Grievance known but its first status not consumed yet: it is registered all the same.
    current = entries[-1].status if entries else Status.received.value
    return TimelineRead(
        tracking_no=grievance.tracking_no,
        channel=grievance.channel,
        received_at=grievance.received_at,
        status=current,
        status_label=status_label(current),
        last_sequence=entries[-1].sequence if entries else 0,
        follow_up=FollowUpRead(
            can_rate=can_rate(state),
            can_request_review=answer_window_open and not state.review_requested,
            can_request_re_review=re_review_open and not state.re_review_requested,
            window_ends_at=window_end(state.answered_at, window) if state.answered_at else None,
            last_rating=await _last_rating(uow, grievance.grievance_id),
        ),
        entries=entries,
    )


async def _last_rating(uow: FeedbackUnitOfWork, grievance_id: str) -> RatingRead | None:
    record = await uow.ratings.latest(grievance_id)
    if record is None:
        return None
    return RatingRead(
        rating=record.rating,
        rating_label=RATING_LABELS_ZH[record.rating],
        comment=record.comment,
        reopen_requested=record.reopen_requested,
        submitted_at=record.submitted_at,
    )


async def entries_after(
    *, uow: FeedbackUnitOfWork, grievance_id: str, after_seq: int, limit: int
) -> list[TimelineEntryRead]:
    """A stream's next entries: those numbered above ``after_seq``, in order."""
    return await uow.timeline.after(grievance_id, after_seq=after_seq, limit=limit)


def _counts(figures: SatisfactionFigures) -> RatingCounts:
    return RatingCounts(
        satisfied=figures.satisfied,
        basically_satisfied=figures.basically_satisfied,
        dissatisfied=figures.dissatisfied,
        total=figures.total,
        reopen_requested=figures.reopen_requested,
        satisfaction_rate=figures.satisfaction_rate,
        fully_satisfied_rate=figures.fully_satisfied_rate,
        reopen_rate=figures.reopen_rate,
    )


async def satisfaction_statistics(
    *, uow: FeedbackUnitOfWork, since: datetime | None, until: datetime | None
) -> SatisfactionStatistics:
    """满意率 overall, per track and per lead department (ratings by the time they were submitted);
    重复件 rate from the routing decisions of the period."""
    overall = await uow.statistics.ratings(since=since, until=until)
    groups: dict[str, list[GroupCounts]] = {}
    for grouping in GROUPINGS:
        rows = await uow.statistics.ratings_by(grouping, since=since, until=until)
        counted = (GroupCounts(key=key, **_counts(figures).model_dump()) for key, figures in rows)
        groups[grouping] = sorted(counted, key=lambda c: (-c.total, c.key or ""))
    repeats = await uow.statistics.repeats(since=since, until=until)
    return SatisfactionStatistics(
        since=since,
        until=until,
        overall=_counts(overall),
        by_track=groups["track"],
        by_department=groups["department"],
        repeat=RepeatFigures(routed=repeats.routed, repeats=repeats.repeats, repeat_rate=repeats.repeat_rate),
    )

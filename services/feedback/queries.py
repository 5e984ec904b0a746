"""Read use cases: the citizen's timeline with what they may do next, and the supervisors'
satisfaction statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback import db
from services.feedback.domain import (
    RATING_LABELS_ZH,
    SatisfactionFigures,
    can_rate,
    status_label,
    window_end,
)
from services.feedback.follow_up import FollowUpPolicy, follow_up_state
from services.feedback.schemas import (
    FollowUpRead,
    GroupCounts,
    RatingCounts,
    RatingRead,
    RepeatFigures,
    SatisfactionStatistics,
    TimelineRead,
)
from services.feedback.timeline import entries_after, grievance_for_citizen
from shared.events.vocabulary import Rating, Status


async def read_timeline(
    *, session: AsyncSession, policy: FollowUpPolicy, tracking_no: str, token: str | None
) -> TimelineRead:
    grievance = await grievance_for_citizen(session, tracking_no=tracking_no, token=token)
    entries = await entries_after(session, grievance_id=grievance.grievance_id, after_seq=0, limit=10_000)
    state = await follow_up_state(session, grievance)
    now = policy.clock.now()
    window = policy.review_window
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
            last_rating=await _last_rating(session, grievance.grievance_id),
        ),
        entries=entries,
    )


async def _last_rating(session: AsyncSession, grievance_id: str) -> RatingRead | None:
    r = db.rating
    row = (
        await session.execute(select(r).where(r.c.grievance_id == grievance_id).order_by(r.c.round.desc()).limit(1))
    ).first()
    if row is None:
        return None
    rating = Rating(row.rating)
    return RatingRead(
        rating=rating,
        rating_label=RATING_LABELS_ZH[rating],
        comment=row.comment,
        reopen_requested=row.reopen_requested,
        submitted_at=row.submitted_at,
    )


def _rating_columns() -> list[Any]:
    r = db.rating
    return [
        func.count().filter(r.c.rating == Rating.satisfied.value).label("satisfied"),
        func.count().filter(r.c.rating == Rating.basically_satisfied.value).label("basically_satisfied"),
        func.count().filter(r.c.rating == Rating.dissatisfied.value).label("dissatisfied"),
        func.count().filter(r.c.reopen_requested).label("reopen_requested"),
    ]


def _counts(row: Any) -> dict[str, Any]:
    figures = SatisfactionFigures(
        satisfied=row.satisfied,
        basically_satisfied=row.basically_satisfied,
        dissatisfied=row.dissatisfied,
        reopen_requested=row.reopen_requested,
    )
    return {
        "satisfied": figures.satisfied,
        "basically_satisfied": figures.basically_satisfied,
        "dissatisfied": figures.dissatisfied,
        "total": figures.total,
        "reopen_requested": figures.reopen_requested,
        "satisfaction_rate": figures.satisfaction_rate,
        "fully_satisfied_rate": figures.fully_satisfied_rate,
        "reopen_rate": figures.reopen_rate,
    }


def _period(column: Any, since: datetime | None, until: datetime | None) -> ColumnElement[bool]:
    conditions = [column.is_not(None)]
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return and_(*conditions)


async def satisfaction_statistics(
    *, session: AsyncSession, since: datetime | None, until: datetime | None
) -> SatisfactionStatistics:
    """满意率 overall, per track and per lead department; 重复件 rate from the routing decisions."""
    r, g = db.rating, db.grievance
    rated = _period(r.c.submitted_at, since, until)
    overall = (await session.execute(select(*_rating_columns()).where(rated))).one()
    joined = r.join(g, g.c.grievance_id == r.c.grievance_id)
    groups: dict[str, list[GroupCounts]] = {}
    for name, column in (("track", g.c.track), ("department", g.c.lead_department)):
        rows = await session.execute(
            select(column.label("key"), *_rating_columns()).select_from(joined).where(rated).group_by(column)
        )
        groups[name] = sorted(
            (GroupCounts(key=row.key, **_counts(row)) for row in rows), key=lambda c: (-c.total, c.key or "")
        )
    routed = _period(g.c.routed_at, since, until)
    repeat_row = (
        await session.execute(
            select(
                func.count().label("routed"),
                func.sum(case((g.c.repeat_of.is_not(None), 1), else_=0)).label("repeats"),
            ).where(routed)
        )
    ).one()
    repeats = int(repeat_row.repeats or 0)
    return SatisfactionStatistics(
        since=since,
        until=until,
        overall=RatingCounts(**_counts(overall)),
        by_track=groups["track"],
        by_department=groups["department"],
        repeat=RepeatFigures(
            routed=repeat_row.routed,
            repeats=repeats,
            repeat_rate=round(repeats / repeat_row.routed, 4) if repeat_row.routed else None,
        ),
    )

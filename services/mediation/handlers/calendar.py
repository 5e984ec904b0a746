"""The session calendar: the 调解会 of the caller's cases (a supervisor: every case) in a range of
local days, so a month view needs one read instead of one audited case read per case."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from services.mediation import db
from services.mediation.calendar_schemas import SessionEntry
from services.mediation.domain.vocabulary import SESSION_STATE_ZH, SessionState, State
from services.mediation.handlers.access import viewer_for
from shared.auth import StaffPrincipal
from shared.clock import CHINA_TZ
from shared.db.uow import UnitOfWork
from shared.problems import Problem

C, A, S = db.mediation, db.assignment, db.mediation_session
# A calendar page shows a month; a quarter leaves room for a list view without unbounded scans.
MAX_DAYS = 92
# Sessions are scheduled in the future of a running platform; the bounds keep date arithmetic and
# time-zone conversion of extreme dates (0001-01-01, 9999-12-31) from overflowing into a 500.
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)


def checked_range(since: date, until: date) -> tuple[datetime, datetime]:
    """[since 00:00, until+1 00:00) in Shanghai time; reversed, too long or far-off ranges are 422."""
    if not (EARLIEST <= since <= LATEST and EARLIEST <= until <= LATEST):
        raise Problem(422, slug="invalid-window", detail="日期超出可查询的范围。", since=str(since), until=str(until))
    if since > until:
        raise Problem(422, slug="invalid-window", detail="日期区间的开始晚于结束。", since=str(since), until=str(until))
    if (until - since).days + 1 > MAX_DAYS:
        raise Problem(422, slug="window-too-long", detail=f"日期区间最长{MAX_DAYS}天。", max_days=MAX_DAYS)
    start = datetime.combine(since, time.min, tzinfo=CHINA_TZ)
    return start, datetime.combine(until + timedelta(days=1), time.min, tzinfo=CHINA_TZ)


async def sessions_between(*, uow: UnitOfWork, staff: StaffPrincipal, since: date, until: date) -> list[SessionEntry]:
    start, end = checked_range(since, until)
    viewer = await viewer_for(uow, staff)
    statement = (
        select(S, C.c.tracking_no, C.c.title, C.c.state.label("case_state"))
        .join(C, C.c.id == S.c.mediation_id)
        .where(S.c.scheduled_for >= start, S.c.scheduled_for < end)
        .order_by(S.c.scheduled_for, S.c.mediation_id, S.c.number)
    )
    if not viewer.sees_all:
        if viewer.mediator is None:
            return []
        current = select(A.c.mediation_id).where(A.c.mediator_id == viewer.mediator.id, A.c.released_at.is_(None))
        statement = statement.where(S.c.mediation_id.in_(current))
    rows = await uow.session.execute(statement)
    return [
        SessionEntry(
            mediation_id=row.mediation_id,
            tracking_no=row.tracking_no,
            title=row.title,
            case_state=State(row.case_state),
            number=row.number,
            state=SessionState(row.state),
            state_zh=SESSION_STATE_ZH[SessionState(row.state)],
            scheduled_for=row.scheduled_for,
            location=row.location,
            held_at=row.held_at,
        )
        for row in rows
    ]

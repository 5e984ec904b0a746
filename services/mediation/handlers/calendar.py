"""The session calendar: the 调解会 of the caller's cases (a supervisor: every case) in a range of
local days, so a month view needs one read instead of one audited case read per case."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from services.mediation.domain.vocabulary import SESSION_STATE_ZH
from services.mediation.handlers.access import viewer_for
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.schemas.calendar import SessionEntry
from shared.auth import StaffPrincipal
from shared.clock import CHINA_TZ
from shared.problems import Problem

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


async def sessions_between(
    *, uow: MediationUnitOfWork, staff: StaffPrincipal, since: date, until: date
) -> list[SessionEntry]:
    start, end = checked_range(since, until)
    viewer = await viewer_for(uow, staff)
    assigned_to = None
    if not viewer.sees_all:
        if viewer.mediator is None:
            return []
        assigned_to = viewer.mediator.id
    return [
        SessionEntry(
            mediation_id=entry.mediation_session.mediation_id,
            tracking_no=entry.tracking_no,
            title=entry.title,
            case_state=entry.case_state,
            number=entry.mediation_session.number,
            state=entry.mediation_session.state,
            state_zh=SESSION_STATE_ZH[entry.mediation_session.state],
            scheduled_for=entry.mediation_session.scheduled_for,
            location=entry.mediation_session.location,
            held_at=entry.mediation_session.held_at,
        )
        for entry in await uow.mediation_sessions.between(start, end, assigned_to=assigned_to)
    ]

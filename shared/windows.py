"""Reporting windows for statistics endpoints: one rule for every service.

Dates and times without an offset are the bureau's local time (Asia/Shanghai); a window whose start
is after its end is refused with a problem document rather than answered with empty figures.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from shared.clock import CHINA_TZ
from shared.problems import Problem

Moment = TypeVar("Moment", date, datetime)


def local_moment(moment: datetime | None) -> datetime | None:
    """An aware datetime: naive input is read as Shanghai time, not the server's zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=CHINA_TZ)


def checked_window(since: Moment | None, until: Moment | None) -> tuple[Moment | None, Moment | None]:
    if since is not None and until is not None and since > until:
        raise Problem(422, slug="invalid-window", detail="统计区间的开始晚于结束。", since=str(since), until=str(until))
    return since, until

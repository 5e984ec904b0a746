"""The dashboard's period: dates as the statistics convention reads them (whole Asia/Shanghai days,
both ends inclusive), the presets, and the time buckets a series is drawn in. Pure."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# More points than this make a line chart unreadable and cost one routing call each.
MAX_BUCKETS = 62


class Interval(StrEnum):
    day = "day"
    week = "week"
    month = "month"


INTERVAL_LABELS = {Interval.day: "按日", Interval.week: "按周", Interval.month: "按月"}


@dataclass(frozen=True, slots=True)
class Bucket:
    label: str
    since: date
    until: date  # inclusive

    def params(self) -> dict[str, str]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat()}


@dataclass(frozen=True, slots=True)
class Preset:
    label: str
    since: date
    until: date


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def presets(today: date) -> list[Preset]:
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    return [
        Preset("本月", this_month, month_end(today)),
        Preset("上月", last_month, month_end(last_month)),
        Preset("本年", date(today.year, 1, 1), date(today.year, 12, 31)),
    ]


def default_period(today: date) -> tuple[date, date]:
    """This month: what a supervisor opening the page most often wants."""
    first = presets(today)[0]
    return first.since, first.until


def parse_day(value: str | None) -> date | None:
    """A date the console can bucket by; None for anything else (the services judge it)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _count(since: date, until: date, interval: Interval) -> int:
    days = (until - since).days + 1
    if interval is Interval.day:
        return days
    if interval is Interval.week:
        return (until - (since - timedelta(days=since.weekday()))).days // 7 + 1
    return (until.year - since.year) * 12 + until.month - since.month + 1


def choose_interval(since: date, until: date, wanted: Interval | None) -> Interval:
    """The wanted interval when it gives few enough points, else the finest that does."""
    order = [Interval.day, Interval.week, Interval.month]
    start = order.index(wanted) if wanted else 0
    for interval in order[start:]:
        if _count(since, until, interval) <= MAX_BUCKETS:
            return interval
    return Interval.month


def bucket_label(day: date, interval: Interval) -> str:
    """A bucket's name from any day in it: the day, the week's Monday, or the month."""
    if interval is Interval.day:
        return day.isoformat()
    if interval is Interval.week:
        return f"{(day - timedelta(days=day.weekday())).isoformat()} 当周"
    return f"{day.year}-{day.month:02d}"


def buckets(since: date, until: date, interval: Interval) -> list[Bucket]:
    """Consecutive buckets covering the period; the first and last are cut to it.

    Weeks start on Monday, as Chinese calendars do (and as the router's series does)."""
    result: list[Bucket] = []
    start = since
    while start <= until:
        if interval is Interval.day:
            end = start
        elif interval is Interval.week:
            end = start + timedelta(days=6 - start.weekday())
        else:
            end = month_end(start)
        end = min(end, until)
        result.append(Bucket(bucket_label(start, interval), start, end))
        start = end + timedelta(days=1)
    return result

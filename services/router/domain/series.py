"""Calendar buckets of a statistics series: days, ISO weeks (Monday first) or months in
Asia/Shanghai, named by their first day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from enum import StrEnum

from services.router.domain.errors import TooManyBuckets

# A day series over more than about five years is no chart; refuse it rather than build it.
MAX_BUCKETS = 2000

# One counted group of a series: bucket day, current track, area, street, first decision sent to review.
SeriesRow = tuple[date, str, str, str | None, bool]


class Interval(StrEnum):
    day = "day"
    week = "week"
    month = "month"


def bucket_start(day: date, interval: Interval) -> date:
    if interval is Interval.week:
        return day - timedelta(days=day.weekday())
    if interval is Interval.month:
        return day.replace(day=1)
    return day


def next_bucket(start: date, interval: Interval) -> date:
    if interval is Interval.day:
        return start + timedelta(days=1)
    if interval is Interval.week:
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def bucket_starts(first: date, last: date, interval: Interval) -> Iterator[date]:
    """Every bucket from the one holding ``first`` to the one holding ``last``; TooManyBuckets
    when there would be more than MAX_BUCKETS."""
    start, end = bucket_start(first, interval), bucket_start(last, interval)
    count = 0
    while start <= end:
        count += 1
        if count > MAX_BUCKETS:
            raise TooManyBuckets(f"统计区间按“{interval.value}”分段超过 {MAX_BUCKETS} 段，请缩短区间或选用更长的间隔。")
        yield start
        start = next_bucket(start, interval)

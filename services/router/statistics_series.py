"""Routing figures for the supervisor's dashboard: received grievances over time, per track, area
and street, with the automatic-routing share of each bucket; and 涉法涉诉 per 政法 body.

Buckets are calendar days, ISO weeks (Monday first) or months in Asia/Shanghai, named by their
first day. A bucket at an edge of the period counts only what the period holds of it. Every
bucket between the first and the last is listed, empty ones with zeros, so a chart has no gaps.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.router import db
from shared.catalog import load_catalog
from shared.problems import Problem
from shared.statistics_params import TIME_ZONE, Period

# A day series over more than about five years is no chart; refuse it rather than build it.
MAX_BUCKETS = 2000
OTHER_BODY = "other"


class Interval(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class BucketDecisions(BaseModel):
    automatic: int = Field(description="first decision handed to the track at once")
    to_review: int = Field(description="first decision sent to a reviewer")
    automatic_share: float | None = Field(description="automatic / (automatic + to_review)")


class SeriesBucket(BaseModel):
    start: date = Field(description="the bucket's first day (Asia/Shanghai)")
    received: int
    by_track: dict[str, int]
    by_area: dict[str, int] = Field(description="all 15 areas, zeros included")
    by_street: dict[str, int] = Field(description="the six streets and unknown")
    first_decision: BucketDecisions


class Series(BaseModel):
    interval: Interval
    buckets: list[SeriesBucket]


class LitigationFigures(BaseModel):
    grievances: int = Field(description="涉法涉诉: received in the period and now on the litigation track")
    by_legal_body: dict[str, int] = Field(
        description="per 政法 body the router sent them to (catalog code; all five listed), "
        "other: a lead that is no 政法 body"
    )


def legal_body_codes() -> list[str]:
    return sorted(d.code for d in load_catalog().departments.values() if d.kind == "legal_body")


def litigation_figures(counts: Mapping[str | None, int]) -> LitigationFigures:
    """``counts``: litigation-track grievances per lead department code (None: another track)."""
    bodies = dict.fromkeys(legal_body_codes(), 0)
    bodies[OTHER_BODY] = 0
    for code, n in counts.items():
        if code is None:
            continue
        bodies[code if code in bodies and code != OTHER_BODY else OTHER_BODY] += n
    return LitigationFigures(grievances=sum(bodies.values()), by_legal_body=bodies)


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
    """Every bucket from the one holding ``first`` to the one holding ``last``; Problem 422 when
    there would be more than MAX_BUCKETS."""
    start, end = bucket_start(first, interval), bucket_start(last, interval)
    count = 0
    while start <= end:
        count += 1
        if count > MAX_BUCKETS:
            raise Problem(
                422,
                slug="validation",
                detail=f"统计区间按“{interval.value}”分段超过 {MAX_BUCKETS} 段，请缩短区间或选用更长的间隔。",
            )
        yield start
        start = next_bucket(start, interval)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


Row = tuple[date, str, str, str | None, bool]  # bucket day, track, area, street, sent to review


@dataclass
class _Tally:
    """One bucket's counts while the rows are added up."""

    track: dict[str, int]
    area: dict[str, int]
    street: dict[str, int]
    automatic: int = 0
    to_review: int = 0

    def bucket(self, start: date) -> SeriesBucket:
        return SeriesBucket(
            start=start,
            received=self.automatic + self.to_review,
            by_track=self.track,
            by_area=self.area,
            by_street=self.street,
            first_decision=BucketDecisions(
                automatic=self.automatic,
                to_review=self.to_review,
                automatic_share=_rate(self.automatic, self.automatic + self.to_review),
            ),
        )


def build_series(
    rows: Mapping[Row, int],
    period: Period,
    interval: Interval,
    *,
    tracks: list[str],
    areas: list[str],
    streets: list[str],
    unknown_street: str,
) -> Series:
    """The buckets of the period (or, where it is open, of the days that have grievances)."""
    days = [row[0] for row in rows]
    first = period.since.date() if period.since else min(days, default=None)
    last = period.last_day if period.until else max(days, default=None)
    if first is None or last is None or last < first:
        return Series(interval=interval, buckets=[])
    tallies = {
        start: _Tally(dict.fromkeys(tracks, 0), dict.fromkeys(areas, 0), dict.fromkeys([*streets, unknown_street], 0))
        for start in bucket_starts(first, last, interval)
    }
    for (day, track, area, street, to_review), n in rows.items():
        tally = tallies.get(bucket_start(day, interval))
        if tally is None:  # outside the listed range: cannot happen for rows of the period
            continue
        tally.track[track] = tally.track.get(track, 0) + n
        tally.area[area] = tally.area.get(area, 0) + n
        tally.street[street if street in tally.street else unknown_street] += n
        if to_review:
            tally.to_review += n
        else:
            tally.automatic += n
    return Series(interval=interval, buckets=[tally.bucket(start) for start, tally in tallies.items()])


async def series_rows(session: AsyncSession, period: Period, interval: Interval) -> dict[Row, int]:
    """Grievances received in the period per (bucket day, current track, area, street, whether the
    first decision went to a reviewer). The local day is taken in a subquery and grouped by name:
    PostgreSQL would not match a GROUP BY expression with bound parameters to the select list."""
    g, r = db.grievance, db.routing_decision
    local_day = cast(func.timezone(TIME_ZONE, g.c.received_at), Date)
    to_review = func.coalesce(r.c.decision["needs_review"].as_boolean(), False)
    conditions = []
    if period.since is not None:
        conditions.append(g.c.received_at >= period.since)
    if period.until is not None:
        conditions.append(g.c.received_at < period.until)
    facts = (
        select(local_day.label("day"), g.c.track, g.c.area, g.c.street, to_review.label("to_review"))
        .select_from(g.outerjoin(r, (r.c.grievance_id == g.c.id) & (r.c.revision == 1)))
        .where(*conditions)
        .subquery("facts")
    )
    columns = [facts.c.day, facts.c.track, facts.c.area, facts.c.street, facts.c.to_review]
    rows = await session.execute(select(*columns, func.count()).group_by(*columns))
    return {(row[0], row[1], row[2], row[3], bool(row[4])): int(row[5]) for row in rows}

"""Received grievances over time for the supervisor's charts: per track, area and street, with the
automatic-routing share of each bucket.

A bucket at an edge of the period counts only what the period holds of it. Every bucket between
the first and the last is listed, empty ones with zeros, so a chart has no gaps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from services.router.domain.series import Interval, SeriesRow, bucket_start, bucket_starts
from services.router.domain.statistics import rate
from services.router.schemas import BucketDecisions, Series, SeriesBucket
from shared.statistics_params import Period


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
                automatic_share=rate(self.automatic, self.automatic + self.to_review),
            ),
        )


def build_series(
    rows: Mapping[SeriesRow, int],
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

"""The routing statistics' arithmetic: zeros for every area and street, the unknown street, rates,
the causes of re-routes, 涉法涉诉 per 政法 body and the series buckets. (The period is
shared.statistics_params, tested in tests/unit/shared/test_statistics_params.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.router.domain.errors import TooManyBuckets
from services.router.domain.series import Interval, SeriesRow, bucket_start, next_bucket
from services.router.domain.statistics import (
    Counts,
    ReviewCounts,
    by_area,
    by_channel,
    by_street,
    complete,
    rate,
    reroute_reason,
)
from services.router.handlers.series import build_series
from services.router.handlers.statistics import figures, litigation_figures
from services.router.schemas import Series
from shared.catalog import load_catalog
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Area, Street
from shared.statistics_params import Period

CATALOG = load_catalog()
SHANGHAI_MIDNIGHT_1_NOV = datetime(2026, 11, 1, tzinfo=CHINA_TZ)


def test_rate_rounds_to_four_places_and_has_no_value_for_nothing() -> None:
    assert rate(1, 3) == 0.3333
    assert rate(2, 2) == 1.0
    assert rate(0, 0) is None


def test_every_area_is_listed_in_vocabulary_order() -> None:
    counts = by_area({"政法": 2, "环境保护": 1})
    assert list(counts) == [a.value for a in Area]
    assert len(counts) == 15
    assert (counts["政法"], counts["环境保护"], sum(counts.values())) == (2, 1, 3)


def test_streets_outside_the_district_and_missing_ones_are_unknown() -> None:
    counts = by_street({"光明街道": 3, None: 1, "深圳湾街道": 2, "unknown": 1})
    assert list(counts) == [*(s.value for s in Street), "unknown"]
    assert counts["光明街道"] == 3
    assert counts["unknown"] == 4
    assert sum(counts.values()) == 7


def test_a_channel_the_vocabulary_does_not_know_yet_keeps_its_own_key() -> None:
    counts = by_channel({"portal": 2, "wechat": 1, None: 5})
    assert counts["portal"] == 2
    assert counts["wechat"] == 1
    assert counts["letter"] == 0
    assert None not in counts


def test_complete_adds_up_duplicates_into_other() -> None:
    assert complete({"a": 1, "x": 2, "y": 3}, ["a", "b"], other="rest") == {"a": 1, "b": 0, "rest": 5}


@pytest.mark.parametrize(
    ("decided_by", "code", "cause"),
    [
        ("reviewer", None, "reviewer"),
        ("reviewer", "reroute.reopened", "reviewer"),
        ("reroute", "reroute.returned_by_department", "returned_by_department"),
        ("reroute", "reroute.mediation_failed", "mediation_failed"),
        ("reroute", None, "other"),
        ("reroute", "rule.x", "other"),
    ],
)
def test_the_cause_of_a_later_decision(decided_by: str, code: str | None, cause: str) -> None:
    assert reroute_reason(decided_by, code) == cause


def test_review_counts_add_up_field_by_field() -> None:
    total = ReviewCounts(3, 1, 2, 0, 1, 1, 1) + ReviewCounts(1, 0, 1, 0, 0, 1, 1)
    assert total == ReviewCounts(4, 1, 3, 0, 1, 2, 2)


def test_figures_from_counts() -> None:
    counts = Counts(
        received=8,
        urgent=1,
        repeats=2,
        clusters=1,
        in_clusters=3,
        awaiting_review=1,
        rerouted=2,
        first_automatic=6,
        first_to_review=2,
        dimensions={
            "track": {"petition": 5, "mediation": 2, "litigation": 1},
            "petition_kind": {"claim": 4, "report": 1, None: 3},
            "area": {"城乡建设": 8},
            "street": {"公明街道": 7, None: 1},
            "channel": {"portal": 8},
        },
        later_decisions={("reviewer", None): 1, ("reroute", "reroute.returned_by_department"): 2},
        reviews={
            "low_confidence": ReviewCounts(requested=2, pending=1, decided=1, track_changed=1, track_or_area_changed=1),
            "returned_by_department": ReviewCounts(requested=1, superseded=1),
        },
    )
    as_of = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
    stats = figures(counts, Period(SHANGHAI_MIDNIGHT_1_NOV, None), as_of, CATALOG)
    assert stats.as_of == as_of and stats.as_of.utcoffset() == timedelta(hours=8)
    assert stats.time_zone == "Asia/Shanghai"
    assert stats.by_track == {"litigation": 1, "mediation": 2, "petition": 5}
    assert stats.by_petition_kind == {"suggestion": 0, "report": 1, "claim": 4}
    assert stats.by_street["公明街道"] == 7
    assert stats.by_street["unknown"] == 1
    assert stats.repeats.rate == 0.25
    assert (stats.group_cases.clusters, stats.group_cases.grievances) == (1, 3)
    assert stats.first_decision.automatic_share == 0.75
    assert stats.reviews.requested == 3
    assert stats.reviews.change_rate == 1.0
    assert stats.reviews.by_reason == {"low_confidence": 2, "returned_by_department": 1, "reroute": 0}
    assert stats.reroutes.decisions == 3
    assert stats.reroutes.grievances == 2
    assert stats.reroutes.by_reason["reviewer"] == 1
    assert stats.reroutes.by_reason["returned_by_department"] == 2
    assert sum(stats.reroutes.by_reason.values()) == 3


def test_figures_of_an_empty_window_have_zeros_and_no_rates() -> None:
    stats = figures(Counts(), Period(), datetime(2026, 11, 26, tzinfo=timezone(timedelta(hours=-5))), CATALOG)
    assert stats.received == 0
    assert set(stats.by_area.values()) == {0}
    assert set(stats.by_street.values()) == {0}
    assert stats.repeats.rate is None
    assert stats.first_decision.automatic_share is None
    assert stats.reviews.change_rate is None
    assert stats.since is None and stats.until is None


def test_litigation_per_legal_body_lists_all_five_and_other() -> None:
    figures_ = litigation_figures({"court": 2, "public-security": 1, "housing": 1, None: 9}, CATALOG)
    assert figures_.grievances == 4
    assert figures_.by_legal_body == {
        "court": 2,
        "justice": 0,
        "labour-arbitration": 0,
        "procuratorate": 0,
        "public-security": 1,
        "other": 1,
    }


@pytest.mark.parametrize(
    ("interval", "day", "start", "following"),
    [
        (Interval.day, date(2026, 12, 31), date(2026, 12, 31), date(2027, 1, 1)),
        (Interval.week, date(2026, 11, 1), date(2026, 10, 26), date(2026, 11, 2)),  # a Sunday: ISO week
        (Interval.month, date(2026, 12, 15), date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_buckets_are_calendar_units(interval: Interval, day: date, start: date, following: date) -> None:
    assert bucket_start(day, interval) == start
    assert next_bucket(start, interval) == following


def _series(rows: dict[SeriesRow, int], period: Period, interval: Interval) -> Series:
    return build_series(
        rows,
        period,
        interval,
        tracks=["litigation", "mediation", "petition"],
        areas=["城乡建设", "政法"],
        streets=["光明街道", "公明街道"],
        unknown_street="unknown",
    )


def test_a_series_lists_empty_buckets_and_counts_per_bucket() -> None:
    rows: dict[SeriesRow, int] = {
        (date(2026, 11, 3), "petition", "城乡建设", "光明街道", False): 3,
        (date(2026, 11, 3), "litigation", "政法", None, True): 1,
        (date(2027, 1, 31), "mediation", "城乡建设", "外区街道", False): 2,
    }
    period = Period(datetime(2026, 11, 1, tzinfo=CHINA_TZ), datetime(2027, 2, 1, tzinfo=CHINA_TZ))
    series = _series(rows, period, Interval.month)
    assert [b.start for b in series.buckets] == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    november, december, january = series.buckets
    assert november.received == 4
    assert november.by_track == {"litigation": 1, "mediation": 0, "petition": 3}
    assert november.by_street == {"光明街道": 3, "公明街道": 0, "unknown": 1}
    assert (november.first_decision.automatic, november.first_decision.to_review) == (3, 1)
    assert november.first_decision.automatic_share == 0.75
    assert december.received == 0 and december.first_decision.automatic_share is None
    assert january.by_street["unknown"] == 2


def test_an_open_period_spans_the_days_that_have_grievances() -> None:
    rows: dict[SeriesRow, int] = {(date(2026, 11, 3), "petition", "政法", "公明街道", False): 1}
    series = _series(rows, Period(), Interval.day)
    assert [b.start for b in series.buckets] == [date(2026, 11, 3)]
    assert _series({}, Period(), Interval.week).buckets == []


def test_too_many_buckets_are_refused() -> None:
    period = Period(datetime(2000, 1, 1, tzinfo=CHINA_TZ), datetime(2026, 1, 1, tzinfo=CHINA_TZ))
    with pytest.raises(TooManyBuckets) as refused:
        _series({}, period, Interval.day)
    assert "2000 段" in refused.value.message_zh
    assert len(_series({}, period, Interval.month).buckets) == 26 * 12

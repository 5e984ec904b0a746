"""The routing statistics' window (Asia/Shanghai days or instants) and arithmetic: zeros for
every area and street, the unknown street, rates, and the causes of re-routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.router.statistics import (
    Counts,
    InvalidWindow,
    ReviewCounts,
    Window,
    by_area,
    by_channel,
    by_street,
    complete,
    figures,
    parse_window,
    rate,
    reroute_reason,
)
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Area, Street

SHANGHAI_MIDNIGHT_1_NOV = datetime(2026, 11, 1, tzinfo=CHINA_TZ)


def test_dates_are_whole_days_in_shanghai() -> None:
    window = parse_window("2026-11-01", "2026-11-30")
    assert window.since == SHANGHAI_MIDNIGHT_1_NOV
    assert window.until == datetime(2026, 12, 1, tzinfo=CHINA_TZ)  # exclusive: all of 30 November
    assert window.since is not None
    assert window.since.astimezone(UTC) == datetime(2026, 10, 31, 16, tzinfo=UTC)


def test_the_same_date_twice_is_that_one_day() -> None:
    window = parse_window("2026-11-01", "2026-11-01")
    assert (window.since, window.until) == (SHANGHAI_MIDNIGHT_1_NOV, SHANGHAI_MIDNIGHT_1_NOV + timedelta(days=1))


def test_date_times_are_instants_and_come_back_in_shanghai_time() -> None:
    window = parse_window("2026-10-31T16:00:00Z", "2026-11-01T08:30:00+08:00")
    assert window.since == SHANGHAI_MIDNIGHT_1_NOV
    assert window.since is not None and window.since.utcoffset() == timedelta(hours=8)
    assert window.until == datetime(2026, 11, 1, 8, 30, tzinfo=CHINA_TZ)


def test_a_date_time_without_offset_is_shanghai_time() -> None:
    assert parse_window("2026-11-01T00:00", None).since == SHANGHAI_MIDNIGHT_1_NOV
    assert parse_window(None, "2026-11-01 09:15").until == datetime(2026, 11, 1, 9, 15, tzinfo=CHINA_TZ)


def test_missing_or_empty_bounds_leave_the_window_open() -> None:
    assert parse_window(None, None) == Window(None, None)
    assert parse_window("", " ") == Window(None, None)
    assert parse_window("2026-11-01", None) == Window(SHANGHAI_MIDNIGHT_1_NOV, None)


def test_equal_instants_are_an_empty_window_not_an_error() -> None:
    window = parse_window("2026-11-01T08:00:00+08:00", "2026-11-01T00:00:00Z")
    assert window.since == window.until


@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2026-11-02", "2026-11-01"),  # since after until
        ("2026-11-02T00:00:00+08:00", "2026-11-01"),  # the end of 1 November is not after it
        ("2026-11-01T10:00:00+08:00", "2026-11-01T09:59:59+08:00"),
    ],
)
def test_a_window_that_ends_before_it_begins_is_refused(since: str, until: str) -> None:
    with pytest.raises(InvalidWindow) as refused:
        parse_window(since, until)
    assert (refused.value.field, refused.value.code) == ("until", "window_order")
    assert refused.value.message_zh == "结束时间不能早于开始时间"


def test_a_date_time_inside_the_until_day_is_a_valid_start() -> None:
    window = parse_window("2026-11-01T10:00:00+08:00", "2026-11-01")
    assert window.until == SHANGHAI_MIDNIGHT_1_NOV + timedelta(days=1)


@pytest.mark.parametrize(
    ("field", "since", "until", "code"),
    [
        ("since", "yesterday", None, "datetime_parsing"),
        ("until", None, "2026-02-30", "datetime_parsing"),
        ("since", "2026-11-01T25:00", None, "datetime_parsing"),
        ("until", None, "9999-12-31", "datetime_out_of_range"),
        ("since", "0001-01-01", None, "datetime_out_of_range"),
    ],
)
def test_bounds_that_are_no_dates_are_refused(field: str, since: str | None, until: str | None, code: str) -> None:
    with pytest.raises(InvalidWindow) as refused:
        parse_window(since, until)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert refused.value.message_zh


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
    stats = figures(counts, Window(SHANGHAI_MIDNIGHT_1_NOV, None), as_of)
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
    stats = figures(Counts(), Window(), datetime(2026, 11, 26, tzinfo=timezone(timedelta(hours=-5))))
    assert stats.received == 0
    assert set(stats.by_area.values()) == {0}
    assert set(stats.by_street.values()) == {0}
    assert stats.repeats.rate is None
    assert stats.first_decision.automatic_share is None
    assert stats.reviews.change_rate is None
    assert stats.since is None and stats.until is None

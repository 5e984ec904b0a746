"""The one period convention of every statistics endpoint: dates are whole Asia/Shanghai days,
date-times are instants, a reversed period and an unknown query parameter are 422."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from shared.clock import CHINA_TZ
from shared.problems import install_problem_handlers
from shared.statistics_params import Period, PeriodError, StatisticsPeriod, parse_period

SHANGHAI_MIDNIGHT_1_NOV = datetime(2026, 11, 1, tzinfo=CHINA_TZ)


def test_dates_are_whole_days_in_shanghai() -> None:
    period = parse_period("2026-11-01", "2026-11-30")
    assert period.since == SHANGHAI_MIDNIGHT_1_NOV
    assert period.until == datetime(2026, 12, 1, tzinfo=CHINA_TZ)  # exclusive: all of 30 November
    assert period.since is not None
    assert period.since.astimezone(UTC) == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert (period.first_day, period.last_day) == (date(2026, 11, 1), date(2026, 11, 30))


def test_the_same_date_twice_is_that_one_day() -> None:
    period = parse_period("2026-11-01", "2026-11-01")
    assert (period.since, period.until) == (SHANGHAI_MIDNIGHT_1_NOV, SHANGHAI_MIDNIGHT_1_NOV + timedelta(days=1))
    assert period.first_day == period.last_day == date(2026, 11, 1)


def test_date_times_are_instants_and_come_back_in_shanghai_time() -> None:
    period = parse_period("2026-10-31T16:00:00Z", "2026-11-01T08:30:00+08:00")
    assert period.since == SHANGHAI_MIDNIGHT_1_NOV
    assert period.since is not None and period.since.utcoffset() == timedelta(hours=8)
    assert period.until == datetime(2026, 11, 1, 8, 30, tzinfo=CHINA_TZ)


def test_a_date_time_without_offset_is_shanghai_time() -> None:
    assert parse_period("2026-11-01T00:00", None).since == SHANGHAI_MIDNIGHT_1_NOV
    assert parse_period(None, "2026-11-01 09:15").until == datetime(2026, 11, 1, 9, 15, tzinfo=CHINA_TZ)


def test_days_of_an_instant_period_are_those_whose_midnight_lies_in_it() -> None:
    period = parse_period("2026-11-01T10:00:00+08:00", "2026-11-03T00:00:00+08:00")
    assert (period.first_day, period.last_day) == (date(2026, 11, 2), date(2026, 11, 2))
    # Midnight in UTC is 08:00 in Shanghai: the day of 1 November has started before it.
    assert parse_period("2026-11-01T00:00:00Z", None).first_day == date(2026, 11, 2)
    assert Period().first_day is None and Period().last_day is None


def test_missing_or_empty_bounds_leave_the_period_open() -> None:
    assert parse_period(None, None) == Period(None, None)
    assert parse_period("", " ") == Period(None, None)
    assert parse_period("2026-11-01", None) == Period(SHANGHAI_MIDNIGHT_1_NOV, None)


def test_equal_instants_are_an_empty_period_not_an_error() -> None:
    period = parse_period("2026-11-01T08:00:00+08:00", "2026-11-01T00:00:00Z")
    assert period.since == period.until


@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2026-11-02", "2026-11-01"),  # since after until
        ("2026-11-02T00:00:00+08:00", "2026-11-01"),  # the end of 1 November is not after it
        ("2026-11-01T10:00:00+08:00", "2026-11-01T09:59:59+08:00"),
    ],
)
def test_a_period_that_ends_before_it_begins_is_refused(since: str, until: str) -> None:
    with pytest.raises(PeriodError) as refused:
        parse_period(since, until)
    assert (refused.value.field, refused.value.code) == ("until", "window_order")
    assert refused.value.message_zh == "结束时间不能早于开始时间"


def test_a_date_time_inside_the_until_day_is_a_valid_start() -> None:
    period = parse_period("2026-11-01T10:00:00+08:00", "2026-11-01")
    assert period.until == SHANGHAI_MIDNIGHT_1_NOV + timedelta(days=1)


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
    with pytest.raises(PeriodError) as refused:
        parse_period(since, until)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert refused.value.message_zh


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/v1/statistics/demo")
    async def demo(period: StatisticsPeriod, department: str | None = None) -> dict[str, str | None]:
        return {
            "since": period.since.isoformat() if period.since else None,
            "until": period.until.isoformat() if period.until else None,
            "department": department,
        }

    return app


async def _get(params: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/v1/statistics/demo", params=params)


async def test_the_dependency_reads_the_period_and_keeps_the_endpoints_own_parameters() -> None:
    response = await _get({"since": "2026-11-01", "until": "2026-11-01", "department": "housing"})
    assert response.status_code == 200
    assert response.json() == {
        "since": "2026-11-01T00:00:00+08:00",
        "until": "2026-11-02T00:00:00+08:00",
        "department": "housing",
    }


async def test_a_reversed_period_is_a_422_problem() -> None:
    response = await _get({"since": "2026-12-01", "until": "2026-11-01"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "until"


async def test_an_unknown_parameter_is_a_422_naming_it() -> None:
    response = await _get({"since": "2026-11-01", "untill": "2026-11-30", "opened_from": "2026-11-01"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert [(e["field"], e["in"], e["code"]) for e in errors] == [
        ("opened_from", "query", "unknown_parameter"),
        ("untill", "query", "unknown_parameter"),
    ]
    assert "department, since, until" in errors[0]["message"]

"""The period of every statistics endpoint, one convention for all services (docs/statistics.md).

``since`` and ``until`` are each either a date, a whole day in the bureau's local time
(Asia/Shanghai; both ends inclusive), or an ISO 8601 date-time, an instant (``since`` inclusive,
``until`` exclusive; without an offset read as Asia/Shanghai time). Either may be left out. The
period is kept as two instants, half-open: ``since <= t < until``. A period that ends before it
begins, and a query parameter the endpoint does not know, are answered with 422 rather than with
figures that look plausible and count nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.routing import APIRoute

from shared.clock import CHINA_TZ
from shared.problems import Problem

TIME_ZONE = CHINA_TZ.key  # "Asia/Shanghai"
BOUND_HELP = "a date (2026-11-01: a whole day in Asia/Shanghai) or an ISO 8601 date-time (2026-11-01T08:00:00+08:00)"
# Far enough from datetime's limits that the day after and the UTC conversion stay representable.
_FIRST_YEAR, _LAST_YEAR = 1900, 9998


class PeriodError(ValueError):
    """A bound that is neither a date nor a date-time, or a period that ends before it begins."""

    def __init__(self, field: str, code: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message
        self.message_zh = message_zh

    def problem(self) -> Problem:
        return Problem(
            422,
            slug="validation",
            detail="统计时间范围有误。",
            errors=[
                {
                    "pointer": f"#/{self.field}",
                    "field": self.field,
                    "in": "query",
                    "code": self.code,
                    "message": self.message,
                    "message_zh": self.message_zh,
                }
            ],
        )


@dataclass(frozen=True, slots=True)
class Period:
    """Instants ``since <= t < until`` in Asia/Shanghai time; None leaves that side open."""

    since: datetime | None = None
    until: datetime | None = None

    @property
    def first_day(self) -> date | None:
        """The first day that starts inside the period, for figures kept by day (a due day, a
        referral date): a day belongs to the period when its midnight does."""
        if self.since is None:
            return None
        day = self.since.date()
        return day if self.since.timetz().replace(tzinfo=None) == time.min else day + timedelta(days=1)

    @property
    def last_day(self) -> date | None:
        """The last day that starts inside the period (``until`` is exclusive)."""
        if self.until is None:
            return None
        return (self.until - timedelta(microseconds=1)).date()


def _bound(value: str, *, field: str, end: bool) -> tuple[datetime, bool]:
    """The instant a bound stands for, and whether it was given as a date."""
    parsed: date | datetime
    try:
        parsed = date.fromisoformat(value)  # 2026-11-01 (also 20261101): a day
    except ValueError:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise PeriodError(
                field,
                "datetime_parsing",
                f"expected {BOUND_HELP}",
                "应为日期（如 2026-11-01）或 ISO 8601 时间（如 2026-11-01T08:00:00+08:00）",
            ) from None
    if not _FIRST_YEAR <= parsed.year <= _LAST_YEAR:
        raise PeriodError(
            field,
            "datetime_out_of_range",
            f"the year must lie between {_FIRST_YEAR} and {_LAST_YEAR}",
            f"年份应在 {_FIRST_YEAR} 至 {_LAST_YEAR} 之间",
        )
    if isinstance(parsed, datetime):
        aware = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=CHINA_TZ)
        return aware.astimezone(CHINA_TZ), False
    day = parsed + timedelta(days=1) if end else parsed  # until a date: to the end of that day
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ), True


def parse_period(since: str | None, until: str | None) -> Period:
    """The period of the two parameters; PeriodError for a bad bound or one that ends first.

    An empty parameter (``?since=``) is no bound."""
    since, until = (v.strip() or None if v is not None else None for v in (since, until))
    start = _bound(since, field="since", end=False)[0] if since is not None else None
    stop, until_is_date = _bound(until, field="until", end=True) if until is not None else (None, False)
    # A date ``until`` covers its whole day, so since=until=one date is that day; two equal
    # instants are an empty period, which is allowed.
    if start is not None and stop is not None and (start > stop or (start == stop and until_is_date)):
        raise PeriodError("until", "window_order", "until must not lie before since", "结束时间不能早于开始时间")
    return Period(start, stop)


def _declared_query_names(dependant: Any) -> Iterator[str]:
    """The query parameters of a route and of every dependency it uses."""
    for param in dependant.query_params:
        yield param.alias
    for sub in dependant.dependencies:
        yield from _declared_query_names(sub)


def reject_unknown_parameters(request: Request) -> None:
    """422 naming every query parameter the route does not declare: a misspelt ``untill`` must
    not silently count everything."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = frozenset(_declared_query_names(route.dependant))
    unknown = sorted({name for name in request.query_params if name not in allowed})
    if not unknown:
        return
    listed = ", ".join(sorted(allowed))
    raise Problem(
        422,
        slug="validation",
        detail=f"不认识的查询参数：{'、'.join(unknown)}。",
        errors=[
            {
                "pointer": f"#/{name}",
                "field": name,
                "in": "query",
                "code": "unknown_parameter",
                "message": f"unknown query parameter; this endpoint takes: {listed}",
                "message_zh": f"不认识的查询参数，可用：{listed}",
            }
            for name in unknown
        ],
    )


async def statistics_period(
    request: Request,
    since: Annotated[str | None, Query(max_length=40, description=f"from (inclusive): {BOUND_HELP}")] = None,
    until: Annotated[
        str | None, Query(max_length=40, description=f"to (a date: inclusive; a date-time: exclusive): {BOUND_HELP}")
    ] = None,
) -> Period:
    """The dependency every statistics endpoint uses for its period and its parameter check."""
    reject_unknown_parameters(request)
    try:
        return parse_period(since, until)
    except PeriodError as exc:
        raise exc.problem() from exc


StatisticsPeriod = Annotated[Period, Depends(statistics_period)]

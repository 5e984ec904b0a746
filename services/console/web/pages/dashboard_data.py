"""Read the period's figures from the services' statistics APIs, as the signed-in supervisor.

Every endpoint takes the same ``since`` / ``until`` (docs/statistics.md); the console passes the
period on as typed, so a bad period is refused by the services in their own words (422)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.console.web.pages import dashboard_tables as t
from services.console.web.pages.dashboard_charts import charts_for
from services.console.web.pages.dashboard_period import Interval, bucket_label, buckets, choose_interval, parse_day
from services.console.web.pages.dashboard_tables import Series
from services.console.web.pages.exports import Table
from services.console.web.service_api import ServiceApi

ROUTING = "/v1/statistics/routing"
ON_TIME = "/v1/statistics/on-time"
HANDLING = "/v1/statistics/handling"
MEDIATION = "/v1/mediations/statistics"
SATISFACTION = "/v1/statistics/satisfaction"


@dataclass(frozen=True, slots=True)
class PeriodQuery:
    since: str
    until: str
    interval: Interval | None = None

    def params(self) -> dict[str, str]:
        return {name: value for name, value in (("since", self.since), ("until", self.until)) if value}

    def days(self) -> tuple[date, date] | None:
        since, until = parse_day(self.since), parse_day(self.until)
        return (since, until) if since is not None and until is not None and since <= until else None


@dataclass
class Dashboard:
    interval: Interval | None
    tables: dict[str, Table] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def charts(self) -> list[dict[str, Any]]:
        return charts_for(self.tables)


def router_series(routing: dict[str, Any], interval: Interval) -> Series | None:
    """The router's own series (``?interval=``): ``series.buckets[]`` with ``start`` and the figures."""
    series = routing.get("series")
    if not isinstance(series, dict) or series.get("interval") != interval.value:
        return None
    return [(bucket_label(date.fromisoformat(b["start"]), interval), b) for b in series.get("buckets", [])]


async def series_by_calls(api: ServiceApi, days: tuple[date, date], interval: Interval) -> Series:
    """A router without a series: one call per bucket, each point exactly its answer for that bucket."""
    chosen = buckets(*days, interval)
    answers = await asyncio.gather(*(api.get("router", ROUTING, b.params()) for b in chosen))
    return [(b.label, answer) for b, answer in zip(chosen, answers, strict=True)]


async def load_dashboard(api: ServiceApi, query: PeriodQuery) -> Dashboard:
    params = query.params()
    days = query.days()
    interval = choose_interval(*days, query.interval) if days else None
    # The router first: a bad period is refused here before anything else is asked.
    routing = await api.get("router", ROUTING, {**params, "interval": interval.value} if interval else params)
    series: Series = []
    if days and interval:
        found = router_series(routing, interval)
        series = found if found is not None else await series_by_calls(api, days, interval)
    on_time, handling, mediation, satisfaction = await asyncio.gather(
        api.get("casework", ON_TIME, params),
        api.get("casework", HANDLING, params),
        api.get("mediation", MEDIATION, params),
        api.get("feedback", SATISFACTION, params),
    )
    dashboard = Dashboard(interval)
    tables = [
        *t.received_tables(routing, series),
        t.automatic_table(routing, series),
        t.on_time_table(on_time),
        t.mediation_table(mediation),
        t.satisfaction_table(satisfaction),
        t.repeat_table(routing, satisfaction),
        t.litigation_table(routing, handling),
    ]
    dashboard.tables = {table.key: table for table in tables}
    if not series:
        dashboard.notes.append("未同时选定开始和结束日期，趋势图只显示合计。")
    return dashboard

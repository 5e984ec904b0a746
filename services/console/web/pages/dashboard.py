"""The supervisor's dashboard: the period's figures as charts and tables, every table exportable;
the overdue list with 督办 lives in overdue.py and is mounted here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.web.deps import Api, require_roles
from services.console.web.pages import overdue
from services.console.web.pages.dashboard_data import Dashboard, PeriodQuery, load_dashboard
from services.console.web.pages.dashboard_period import INTERVAL_LABELS, Interval, default_period, presets
from services.console.web.pages.exports import ExportFormat, export_response, table_rows_for_display
from services.console.web.render import page
from services.console.web.service_api import ApiProblem
from services.console.web.viewer import Viewer
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Role

router = APIRouter()
router.include_router(overdue.router)
Supervisor = require_roles(Role.supervisor)
# Longer than any date or date-time: anything else is not forwarded to the services.
MAX_BOUND_LENGTH = 40
FORMATS: dict[str, ExportFormat] = {"csv": "csv", "xlsx": "xlsx"}


class BadPeriod(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def today() -> date:
    return datetime.now(CHINA_TZ).date()


def period_query(since: str | None, until: str | None, interval: str | None) -> PeriodQuery:
    """The period as asked; without both bounds this month. BadPeriod for what the console can judge."""
    if since is None and until is None:
        first, last = default_period(today())
        since, until = first.isoformat(), last.isoformat()
    since, until = (since or "").strip(), (until or "").strip()
    if len(since) > MAX_BOUND_LENGTH or len(until) > MAX_BOUND_LENGTH:
        raise BadPeriod(["日期格式有误，应为 2026-11-01 这样的日期。"])
    if interval and interval not in Interval.__members__:
        raise BadPeriod([f"统计粒度“{interval}”无效，应为按日、按周或按月。"])
    return PeriodQuery(since, until, Interval(interval) if interval else None)


def problem_messages(problem: ApiProblem) -> list[str]:
    """The service's field messages in Chinese where it gives them, else its detail."""
    messages = [str(e.get("message_zh") or e.get("message")) for e in problem.problem.get("errors") or [] if e]
    return [problem.detail, *messages] if messages else [problem.detail]


def export_query(query: PeriodQuery, dashboard: Dashboard | None) -> str:
    """The files hold what the page shows: the same period and the same buckets."""
    params = query.params()
    if dashboard is not None and dashboard.interval is not None:
        params["interval"] = dashboard.interval.value
    return urlencode(params)


def _context(query: PeriodQuery, dashboard: Dashboard | None, errors: list[str]) -> dict[str, Any]:
    tables = list(dashboard.tables.values()) if dashboard else []
    return {
        "title": "统计分析",
        "query": query,
        "presets": presets(today()),
        "intervals": INTERVAL_LABELS,
        "interval": dashboard.interval if dashboard else query.interval,
        "tables": [(table, table_rows_for_display(table)) for table in tables],
        "charts": dashboard.charts() if dashboard else [],
        "notes": dashboard.notes if dashboard else [],
        "export_query": export_query(query, dashboard),
        "errors": errors,
    }


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(
    request: Request,
    api: Api,
    since: str | None = None,
    until: str | None = None,
    interval: str | None = None,
    viewer: Viewer = Supervisor,
) -> HTMLResponse:
    try:
        query = period_query(since, until, interval)
    except BadPeriod as exc:
        shown = PeriodQuery((since or "")[:MAX_BOUND_LENGTH], (until or "")[:MAX_BOUND_LENGTH])
        return page(request, "dashboard/index.html", viewer, status_code=422, **_context(shown, None, exc.messages))
    try:
        dashboard = await load_dashboard(api, query)
    except ApiProblem as exc:
        if exc.status != 422:
            raise
        return page(
            request, "dashboard/index.html", viewer, status_code=422, **_context(query, None, problem_messages(exc))
        )
    return page(request, "dashboard/index.html", viewer, **_context(query, dashboard, []))


@router.get("/dashboard/export/{table}.{fmt}")
async def export_table(
    request: Request,
    api: Api,
    table: str,
    fmt: str,
    since: str | None = None,
    until: str | None = None,
    interval: str | None = None,
    viewer: Viewer = Supervisor,
) -> Response:
    chosen = FORMATS.get(fmt)
    if chosen is None:
        return page(
            request, "error.html", viewer, status_code=404, title="无法导出", detail="只能导出为 CSV 或 XLSX 文件。"
        )
    try:
        query = period_query(since, until, interval)
    except BadPeriod as exc:
        return page(request, "error.html", viewer, status_code=422, title="统计区间有误", detail=exc.messages[0])
    try:
        dashboard = await load_dashboard(api, query)
    except ApiProblem as exc:
        if exc.status != 422:
            raise
        detail = "；".join(problem_messages(exc))
        return page(request, "error.html", viewer, status_code=422, title="统计区间有误", detail=detail)
    found = dashboard.tables.get(table)
    if found is None:
        return page(
            request, "error.html", viewer, status_code=404, title="没有这张表", detail=f"没有名为“{table}”的统计表。"
        )
    stem = "_".join(part for part in (found.title, query.since, query.until) if part)
    return export_response(found, chosen, stem)

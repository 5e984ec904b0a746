"""The mediator's session calendar: a month grid of the 调解会 of their cases, from the mediation
API's calendar read (GET /v1/mediations/sessions), one request per month."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.console.web.deps import Api, require_roles
from services.console.web.pages import mediation_view as view
from services.console.web.render import page
from services.console.web.viewer import Viewer
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Role

router = APIRouter()
mediator = require_roles(Role.mediator)
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@router.get("/mediation/calendar", response_class=HTMLResponse, summary="调解会日历")
async def session_calendar(request: Request, api: Api, viewer: Viewer = mediator, month: str = "") -> HTMLResponse:
    today = datetime.now(CHINA_TZ).date()
    first = view.parse_month(month, today)
    if first is None:
        problem = {"detail": f"月份“{month}”格式不正确，请使用“年-月”，例如 {today:%Y-%m}。"}
        return page(request, "mediation/calendar.html", viewer, status_code=422, problem=problem, weeks=[])
    since, until = view.month_bounds(first)
    sessions: list[dict[str, Any]] = await api.get(
        "mediation", "/v1/mediations/sessions", params={"since": since.isoformat(), "until": until.isoformat()}
    )
    return page(
        request,
        "mediation/calendar.html",
        viewer,
        month=first,
        weeks=view.month_grid(first, sessions),
        weekdays=WEEKDAYS,
        previous=view.shift_month(first, -1),
        following=view.shift_month(first, 1),
        today=today,
        count=len(sessions),
        problem=None,
    )

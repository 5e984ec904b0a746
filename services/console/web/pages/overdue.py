"""Overdue statutory clocks (超期) for the supervisor, with the 督办 action and exports.

The list is casework's own (``GET /v1/statistics/overdue``): every running clock past its due
day, with the department that owes the step and the days since, most overdue first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.deps import Api, CsrfViewer, require_roles
from services.console.web.pages.exports import Column, ExportFormat, Table, export_response
from services.console.web.render import page
from services.console.web.service_api import ApiProblem, ServiceApi
from services.console.web.viewer import Viewer
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Role

router = APIRouter()
Supervisor = require_roles(Role.supervisor)
OVERDUE = "/v1/statistics/overdue"
PAGE_SIZE = 500  # casework's largest page
MAX_CLOCKS = 5000  # beyond this the list is cut and says so: a bureau with more has other problems
# Grievance ids are UUIDs; anything else never reaches casework's URL space.
GRIEVANCE_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
NOTE_MAX = 500
FORMATS: dict[str, ExportFormat] = {"csv": "csv", "xlsx": "xlsx"}


@dataclass(frozen=True, slots=True)
class OverdueClock:
    grievance_id: str
    tracking_no: str
    department: str
    step: str
    due_on: date
    days_overdue: int
    supervised: bool
    urgent: bool


def overdue_clock(item: dict[str, Any]) -> OverdueClock:
    return OverdueClock(
        grievance_id=item["grievance_id"],
        tracking_no=item["tracking_no"],
        department=item["owner"]["name"],
        step=item["step_zh"],
        due_on=date.fromisoformat(item["due_on"]),
        days_overdue=int(item["days_overdue"]),
        supervised=bool(item.get("supervised")),
        urgent=bool(item.get("urgent")),
    )


async def load_overdue(api: ServiceApi) -> tuple[list[OverdueClock], bool]:
    """Every overdue clock, most overdue first; and whether the list was cut at MAX_CLOCKS."""
    clocks: list[OverdueClock] = []
    offset, total = 0, None
    while offset < MAX_CLOCKS and (total is None or offset < total):
        answer = await api.get("casework", OVERDUE, {"limit": PAGE_SIZE, "offset": offset})
        total = int(answer["total"])
        clocks.extend(overdue_clock(item) for item in answer["items"])
        if not answer["items"]:
            break
        offset += PAGE_SIZE
    return clocks, (total or 0) > len(clocks)


def overdue_table(clocks: list[OverdueClock]) -> Table:
    columns = (
        Column("责任单位"),
        Column("信访件编号"),
        Column("办理环节"),
        Column("到期日"),
        Column("超期天数", "count"),
        Column("已督办"),
    )
    table = Table("overdue", "超期未办结", columns)
    for c in clocks:
        table.rows.append(
            (c.department, c.tracking_no, c.step, c.due_on.isoformat(), c.days_overdue, "是" if c.supervised else "否")
        )
    return table


async def _overdue_page(
    request: Request, api: ServiceApi, viewer: Viewer, *, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    clocks, cut = await load_overdue(api)
    return page(
        request,
        "overdue/index.html",
        viewer,
        status_code=status_code,
        title="超期督办",
        clocks=clocks,
        cut=cut,
        note_max=NOTE_MAX,
        **extra,
    )


@router.get("/overdue", response_class=HTMLResponse)
async def overdue_page(
    request: Request, api: Api, done: str | None = None, viewer: Viewer = Supervisor
) -> HTMLResponse:
    return await _overdue_page(request, api, viewer, done=(done or "")[:64])


@router.get("/overdue/export.{fmt}")
async def export_overdue(request: Request, api: Api, fmt: str, viewer: Viewer = Supervisor) -> Response:
    chosen = FORMATS.get(fmt)
    if chosen is None:
        return page(
            request, "error.html", viewer, status_code=404, title="无法导出", detail="只能导出为 CSV 或 XLSX 文件。"
        )
    clocks, _ = await load_overdue(api)
    today = datetime.now(CHINA_TZ).date()
    return export_response(overdue_table(clocks), chosen, f"超期未办结_{today.isoformat()}")


@router.post("/overdue/{grievance_id}/supervise", response_class=HTMLResponse)
async def supervise(
    request: Request,
    grievance_id: str,
    api: Api,
    viewer: CsrfViewer,
    note: Annotated[str, Form(max_length=2 * NOTE_MAX)] = "",
    _: Viewer = Supervisor,
) -> Response:
    """督办: casework tells the late department (and records who supervised, with the note)."""
    note = note.strip()
    if not GRIEVANCE_ID.match(grievance_id):
        return await _overdue_page(request, api, viewer, status_code=404, errors=["没有这件信访事项。"])
    if len(note) > NOTE_MAX:
        errors = [f"督办意见不能超过 {NOTE_MAX} 字。"]
        return await _overdue_page(request, api, viewer, status_code=422, errors=errors, failed=grievance_id)
    body = {"note": note} if note else {}
    try:
        answer = await api.post("casework", f"/v1/cases/{grievance_id}/supervise", json=body)
    except ApiProblem as exc:
        if not 400 <= exc.status < 500:
            raise
        return await _overdue_page(
            request, api, viewer, status_code=exc.status, errors=[exc.detail], failed=grievance_id
        )
    shown = answer.get("tracking_no") if isinstance(answer, dict) else None
    return RedirectResponse(f"/overdue?{urlencode({'done': shown or grievance_id})}", status_code=303)

"""GET Service Requests: the filters a client may give, and what is shown of each request.

A request shows where it stands (status, the latest message, the office handling it, when it
changed and when an answer is due) and never what was filed: descriptions, addresses and
coordinates of grievances — reports about officials (检举控告, §30) among them — are not public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.intake.domain.progress import open311_state
from services.intake.open311.catalog import CODE_OF_AREA, SERVICE_CODES
from services.intake.open311.formats import Open311Error
from shared.clock import CHINA_TZ

# The specification's default window and longest span for start_date/end_date.
DEFAULT_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
# Ids asked for at once: a tracking number is 18 characters, so 200 of them with commas fit in
# ID_LIST_MAX_CHARS. The bound keeps the request line far below what an HTTP server accepts (uvicorn
# refuses lines over about 64 KB before the application sees them, with a plain-text 400).
MAX_IDS = 200
ID_LIST_MAX_CHARS = 4000
STATES = ("open", "closed")


@dataclass(frozen=True, slots=True)
class RequestQuery:
    """Which requests to list; ``ids`` overrides every other filter, as the specification says."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    states: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One Open311 request as the database has it: the grievance and its latest status, if any."""

    tracking_no: str
    category_hint: str | None
    received_at: datetime
    status: str | None = None
    closed: bool = False
    actor: str | None = None
    message_zh: str | None = None
    due_at: datetime | None = None
    updated_at: datetime | None = None


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def parse_datetime(value: str, name: str) -> datetime:
    """A W3C date-time (``2026-12-01T08:00:00Z``) or date; without a zone it is Beijing time."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Open311Error(400, f"{name}: 日期时间格式不正确，应为 W3C 格式，例如 2026-12-01T00:00:00+08:00") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=CHINA_TZ)


def parse_query(
    *,
    now: datetime,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> RequestQuery:
    """The filters of GET requests, checked; an Open311Error(400) lists what is wrong."""
    ids = _split(service_request_id)
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"service_request_id: 一次最多查询 {MAX_IDS} 个编号")
        return RequestQuery(ids=ids)
    problems: list[str] = []
    codes = _split(service_code)
    unknown = [code for code in codes if code not in SERVICE_CODES]
    if unknown:
        problems.append(f"service_code: 未知的 service_code {', '.join(unknown)}")
    states = _split(status)
    if any(state not in STATES for state in states):
        problems.append("status: 只能是 open 或 closed（可用逗号分隔）")
    start = end = None
    try:
        end = parse_datetime(end_date, "end_date") if end_date else now
        start = parse_datetime(start_date, "start_date") if start_date else end - DEFAULT_SPAN
    except Open311Error as exc:
        problems.extend(exc.descriptions)
    if start is not None and end is not None:
        if start > end:
            problems.append("start_date: 不能晚于 end_date")
        elif end - start > DEFAULT_SPAN:
            problems.append("start_date, end_date: 查询范围不能超过 90 天")
    if problems:
        raise Open311Error(400, *problems)
    return RequestQuery(service_codes=codes, start=start, end=end, states=frozenset(states))


def _w3c(value: datetime | None) -> str | None:
    return value.astimezone(CHINA_TZ).isoformat() if value is not None else None


def request_document(row: RequestRow) -> dict[str, Any]:
    """One ``request`` of GET Service Request(s); withheld fields are present and empty."""
    code = CODE_OF_AREA.get(row.category_hint or "")
    return {
        "service_request_id": row.tracking_no,
        "status": open311_state(row.closed),
        "status_notes": row.message_zh,
        "service_name": row.category_hint,
        "service_code": code,
        "description": None,
        "agency_responsible": row.actor,
        "service_notice": None,
        "requested_datetime": _w3c(row.received_at),
        "updated_datetime": _w3c(row.updated_at or row.received_at),
        "expected_datetime": _w3c(row.due_at),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }

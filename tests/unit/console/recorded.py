"""Recorded answers of the services' statistics APIs for 2026, and a fake HTTP transport serving them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

URLS = {
    "intake": "http://intake.test",
    "router": "http://router.test",
    "casework": "http://casework.test",
    "mediation": "http://mediation.test",
    "feedback": "http://feedback.test",
}
AREAS = {
    "城乡建设": 61, "农村农业": 0, "政法": 9, "教育文体": 7, "劳动和社会保障": 18, "民政": 3, "党务政务": 0,
    "经济管理": 0, "卫生计生": 2, "商贸旅游": 4, "环境保护": 12, "交通运输": 5, "纪检监察": 2, "国土资源": 0,
    "科技与信息产业": 0,
}  # fmt: skip
# January … December: 123 in all
MONTHS = [7, 9, 11, 10, 12, 8, 13, 9, 10, 11, 12, 11]
ROUTING_YEAR: dict[str, Any] = {
    "since": "2026-01-01T00:00:00+08:00",
    "until": "2027-01-01T00:00:00+08:00",
    "received": 123,
    "by_track": {"litigation": 9, "mediation": 21, "petition": 93},
    "by_petition_kind": {"suggestion": 11, "report": 6, "claim": 76},
    "by_area": AREAS,
    "by_category": {"城乡建设/市政设施": 27, "环境保护/噪声污染": 8},
    "by_street": {"光明街道": 20, "公明街道": 31, "新湖街道": 14, "凤凰街道": 17, "玉塘街道": 12, "马田街道": 22,
                  "unknown": 7},
    "by_channel": {"portal": 58, "walk_in": 14, "hotline": 23, "letter": 5, "minyi": 19, "open311": 4},
    "urgent": 3,
    "repeats": {"grievances": 8, "rate": 0.065},
    "group_cases": {"clusters": 2, "grievances": 7},
}  # fmt: skip
HANDLING: dict[str, Any] = {
    "as_of": "2027-01-05",
    "since": "2026-01-01",
    "until": "2026-12-31",
    "cases": 102,
    "by_lead_department": [
        {"department": {"code": "housing", "name": "区住房和建设局"}, "cases": 41, "reports": 2},
        {"department": {"code": "environment", "name": "市生态环境局光明管理局"}, "cases": 17, "reports": 3},
        {"department": {"code": "hrss", "name": "区人力资源局"}, "cases": 15, "reports": 0},
    ],
    "assignments": 97,
    "transfers": 9,
    "transfers_by_body": [{"department": {"code": "court", "name": "光明区人民法院"}, "transfers": 9}],
    "supervisions": {"cases": 6, "clocks": 7},
}
ON_TIME: dict[str, Any] = {
    "as_of": "2027-01-05",
    "since": "2026-01-01",
    "until": "2026-12-31",
    "departments": [
        {"department": {"code": "housing", "name": "区住房和建设局"}, "completed": 80, "on_time": 76, "overdue": 1,
         "on_time_rate": 0.95, "steps": []},
        {"department": {"code": "hrss", "name": "区人力资源局"}, "completed": 20, "on_time": 18, "overdue": 0,
         "on_time_rate": 0.9, "steps": []},
    ],
}  # fmt: skip
MEDIATION: dict[str, Any] = {
    "scope": "all",
    "since": "2026-01-01T00:00:00+08:00",
    "until": "2027-01-01T00:00:00+08:00",
    "overall": {
        "total": 21,
        "open": 2,
        "agreed": 14,
        "failed": 3,
        "refused": 1,
        "withdrawn": 1,
        "success_rate": 0.7778,
    },
    "median_duration_days": 9.5,
    "assistance": {
        "since": "2026-01-01",
        "until": "2026-12-31",
        "total": 2,
        "rows": [
            {"kind": "social", "scheme": "temporary", "outcome": "granted", "count": 1},
            {"kind": "judicial", "scheme": "judicial", "outcome": "refused", "count": 1},
        ],
    },
    "by_type": {},
    "by_street": {},
    "by_dispute_kind": {},
}
SATISFACTION: dict[str, Any] = {
    "since": "2026-01-01T00:00:00+08:00",
    "until": "2027-01-01T00:00:00+08:00",
    "overall": {"satisfied": 50, "basically_satisfied": 20, "dissatisfied": 10, "total": 80, "reopen_requested": 4,
                "satisfaction_rate": 0.875, "fully_satisfied_rate": 0.625, "reopen_rate": 0.05},
    "by_track": [],
    "by_department": [],
    "repeat": {"routed": 123, "repeats": 8, "repeat_rate": 0.065},
}  # fmt: skip
RECOMMENDATIONS: dict[str, Any] = {
    "as_of": "2027-01-05",
    "since": "2026-01-01",
    "until": "2026-12-31",
    "rows": [
        {"kind": "improve_work", "department": {"code": "housing", "name": "区住房和建设局"}, "issued": 3,
         "answered": 3, "answered_late": 0, "overdue": 0, "adopted": 2, "partly_adopted": 1, "not_adopted": 0,
         "adoption_rate": 1.0},
        {"kind": "pursue_responsibility", "department": {"code": "hrss", "name": "区人力资源局"}, "issued": 2,
         "answered": 1, "answered_late": 1, "overdue": 1, "adopted": 0, "partly_adopted": 0, "not_adopted": 1,
         "adoption_rate": 0.0},
    ],
}  # fmt: skip
ASSISTANCE: dict[str, Any] = {
    "since": "2026-01-01",
    "until": "2026-12-31",
    "total": 5,
    "rows": [
        {"kind": "social", "scheme": "minimum_living", "outcome": "granted", "count": 3},
        {"kind": "judicial", "scheme": "judicial", "outcome": "pending", "count": 2},
    ],
}

EVALUATIONS: dict[str, Any] = {
    "since": "2026-01-01",
    "until": "2026-12-31",
    "evaluated": 4,
    "average_total": 82.5,
    "average_by_item": {"registration": 19.0, "classification": 17.5, "notices": 16.0, "opinion": 15.5,
                        "satisfaction": 14.5},
    "departments": [
        {"department": {"code": "housing", "name": "区住房和建设局"}, "evaluated": 3, "average_total": 80.0,
         "average_by_item": {}},
        {"department": {"code": "hrss", "name": "区人力资源局"}, "evaluated": 1, "average_total": 90.0,
         "average_by_item": {}},
    ],
}  # fmt: skip


def answers(*, with_oversight: bool = True) -> dict[str, Any]:
    """Path on each service → its recorded answer (the monthly routing answers are made per call)."""
    table: dict[str, Any] = {
        "router /v1/statistics/routing": ROUTING_YEAR,
        "casework /v1/statistics/handling": HANDLING,
        "casework /v1/statistics/on-time": ON_TIME,
        "mediation /v1/mediations/statistics": MEDIATION,
        "feedback /v1/statistics/satisfaction": SATISFACTION,
    }
    if with_oversight:
        table["casework /v1/statistics/recommendations"] = RECOMMENDATIONS
        table["casework /v1/statistics/assistance"] = ASSISTANCE
        table["casework /v1/statistics/evaluations"] = EVALUATIONS
    return table


def fake_services(
    table: dict[str, Any], seen: list[httpx.Request], status: Callable[[httpx.Request], int | None] = lambda _: None
) -> httpx.MockTransport:
    """Serves ``table``; a routing call for one month answers that month's count from MONTHS."""
    hosts = {httpx.URL(url).host: name for name, url in URLS.items()}

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        forced = status(request)
        if forced is not None:
            return httpx.Response(forced, json={"status": forced, "title": "refused"})
        key = f"{hosts[request.url.host]} {request.url.path}"
        if key not in table:
            return httpx.Response(404, json={"status": 404, "title": "Not Found"})
        body = table[key]
        since, until = request.url.params.get("since", ""), request.url.params.get("until", "")
        if key.startswith("router") and since[5:7] == until[5:7]:
            body = {**body, "received": MONTHS[int(since[5:7]) - 1]}
        return httpx.Response(200, content=json.dumps(body).encode(), headers={"content-type": "application/json"})

    return httpx.MockTransport(handle)

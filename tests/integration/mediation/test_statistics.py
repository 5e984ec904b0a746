"""GET /v1/mediations/statistics under the one period convention (since/until: dates or instants,
cases by the time they were opened), and unknown parameters or filter values refused with 422 —
real broker and database."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.clock import CHINA_TZ
from tests.integration.mediation.harness import MediationHarness, handoff_event


async def test_cases_are_counted_by_the_instant_they_were_opened(service: MediationHarness) -> None:
    event = handoff_event(tracking_token="token-statistics-1")
    await service.publish_handoff(event)
    case = await service.case_of(event.subject or "")
    opened = await service.scalar("SELECT opened_at FROM mediation.mediation WHERE id = :i", i=case["id"])
    assert isinstance(opened, datetime)
    local = opened.astimezone(CHINA_TZ)

    async def total(**params: str) -> int:
        response = await service.http.get("/v1/mediations/statistics", params=params, headers=service.supervisor)
        assert response.status_code == 200, response.text
        count: int = response.json()["overall"]["total"]
        return count

    assert await total(since=local.isoformat()) == 1  # since is inclusive
    assert await total(until=local.isoformat()) == 0  # until is exclusive
    assert await total(since=(local + timedelta(microseconds=1)).isoformat()) == 0
    day = local.date().isoformat()
    assert await total(since=day, until=day) == 1  # a date is the whole Shanghai day
    # without an offset a date-time is Shanghai time
    assert await total(since=local.replace(tzinfo=None).isoformat()) == 1
    answer = (
        await service.http.get("/v1/mediations/statistics", params={"since": day}, headers=service.supervisor)
    ).json()
    assert answer["since"] == f"{day}T00:00:00+08:00" and answer["until"] is None
    assert "opened_from" not in answer


async def test_old_names_reversed_periods_and_bogus_filters_are_422(service: MediationHarness) -> None:
    url = "/v1/mediations/statistics"
    for params in (
        {"opened_from": "2026-11-01"},  # the old parameter names are gone
        {"since": "2026-11-30", "until": "2026-11-01"},
        {"since": "tomorrow"},
    ):
        refused = await service.http.get(url, params=params, headers=service.supervisor)
        assert refused.status_code == 422, params
        assert refused.headers["content-type"] == "application/problem+json"
    misspelt = await service.http.get(url, params={"opened_to": "2026-11-30"}, headers=service.supervisor)
    assert [(e["field"], e["code"]) for e in misspelt.json()["errors"]] == [("opened_to", "unknown_parameter")]
    for path, params in (
        ("/v1/mediations", {"state": "bogus"}),
        ("/v1/roster", {"street": "深圳湾街道"}),
        ("/v1/roster", {"office": "no-such-office"}),
    ):
        refused = await service.http.get(path, params=params, headers=service.supervisor)
        assert refused.status_code == 422, (path, params)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == next(iter(params))
    roster = await service.http.get("/v1/roster", params={"street": "公明街道"}, headers=service.supervisor)
    assert roster.status_code == 200 and roster.json()

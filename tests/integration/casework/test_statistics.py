"""Casework's statistics under the one period convention, on the real broker and database: the
overdue list (超期) with department, step and days late, supervised (督办) by the scheduler; the
handling figures by instant; unknown parameters and filter values refused with 422."""

from __future__ import annotations

from datetime import timedelta

import httpx

from services.casework.handlers.supervision import supervise_once
from tests.integration.casework.conftest import START, Casework, hand_off, handoff

# START is Monday 2 March 2026, 10:00 in Shanghai; the acceptance notice (15 days) is due 17 March.
ACCEPT_DUE = "2026-03-17"


async def overdue(casework: Casework, **params: str) -> httpx.Response:
    return await casework.http.get("/v1/statistics/overdue", params=params, headers=casework.supervisor)


async def test_the_overdue_list_names_department_case_step_and_days_late(casework: Casework) -> None:
    casework.clock.set(START)
    housing, civil = handoff(lead="housing"), handoff(lead="civil-affairs")
    for filed in (housing, civil):
        await hand_off(casework.namespace, filed)
    await casework.wait_for_case(housing.grievance_id, "housing")
    await casework.wait_for_case(civil.grievance_id, "civil-affairs")

    casework.clock.set(START + timedelta(days=15))  # 17 March: due today, not yet late
    nothing = await overdue(casework)
    assert nothing.status_code == 200, nothing.text
    assert nothing.json()["total"] == 0

    casework.clock.set(START + timedelta(days=18))  # 20 March: three days late
    listed = (await overdue(casework)).json()
    assert listed["total"] == 2
    assert {i["grievance_id"] for i in listed["items"]} == {housing.grievance_id, civil.grievance_id}
    first = next(i for i in listed["items"] if i["grievance_id"] == housing.grievance_id)
    assert first["tracking_no"] == housing.tracking_no
    assert (first["owner"]["code"], first["lead"]["code"]) == ("housing", "housing")
    assert (first["step"], first["step_zh"], first["due_on"]) == ("accept", "受理告知", ACCEPT_DUE)
    assert first["days_overdue"] == 3
    assert first["supervised"] is False

    await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)
    supervised = (await overdue(casework, department="housing")).json()
    assert [(i["grievance_id"], i["supervised"]) for i in supervised["items"]] == [(housing.grievance_id, True)]

    # the period selects clocks by their due day
    assert (await overdue(casework, since=ACCEPT_DUE, until=ACCEPT_DUE)).json()["total"] == 2
    assert (await overdue(casework, since="2026-03-18")).json()["total"] == 0
    assert (await overdue(casework, step="reply")).json()["total"] == 0
    page = (await overdue(casework, limit="1")).json()
    assert (page["total"], len(page["items"])) == (2, 1)

    officer = await casework.http.get("/v1/statistics/overdue", headers=casework.officer("housing"))
    assert officer.status_code == 403


async def test_handling_counts_cases_by_the_instant_they_were_opened(casework: Casework) -> None:
    async def handling(**params: str) -> dict[str, object]:
        response = await casework.http.get("/v1/statistics/handling", params=params, headers=casework.supervisor)
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body

    opened = "2026-03-02T10:00:00"  # START, without an offset: Shanghai time
    assert (await handling(since=opened))["cases"] == 2
    assert (await handling(since="2026-03-02T10:00:01"))["cases"] == 0
    assert (await handling(until=opened))["cases"] == 0  # until is exclusive
    day = await handling(since="2026-03-02", until="2026-03-02")
    assert day["cases"] == 2
    assert (day["since"], day["until"]) == ("2026-03-02T00:00:00+08:00", "2026-03-03T00:00:00+08:00")


async def test_every_statistics_endpoint_takes_the_same_period(casework: Casework) -> None:
    paths = ["on-time", "handling", "overdue", "recommendations", "assistance", "evaluations"]
    for path in paths:
        url = f"/v1/statistics/{path}"
        for params in ({"since": "2026-03-01", "until": "2026-03-31"},
                       {"since": "2026-03-01T00:00:00+08:00", "until": "2026-04-01T00:00:00"}):  # fmt: skip
            answer = await casework.http.get(url, params=params, headers=casework.supervisor)
            assert answer.status_code == 200, (path, answer.text)
        reversed_ = await casework.http.get(
            url, params={"since": "2026-03-31", "until": "2026-03-01"}, headers=casework.supervisor
        )
        assert reversed_.status_code == 422, path
        assert reversed_.headers["content-type"] == "application/problem+json"
        misspelt = await casework.http.get(url, params={"untill": "2026-03-01"}, headers=casework.supervisor)
        assert misspelt.status_code == 422, path
        assert [e["field"] for e in misspelt.json()["errors"]] == ["untill"]


async def test_unknown_filter_values_are_refused(casework: Casework) -> None:
    supervisor = casework.supervisor
    for url, params in (
        ("/v1/cases", {"state": "bogus"}),
        ("/v1/cases", {"department": "no-such-department"}),
        ("/v1/recommendations", {"department": "no-such-department"}),
        ("/v1/recommendations", {"state": "bogus"}),
        ("/v1/statistics/on-time", {"department": "no-such-department"}),
        ("/v1/statistics/overdue", {"step": "bogus"}),
    ):
        refused = await casework.http.get(url, params=params, headers=supervisor)
        assert refused.status_code == 422, (url, params, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        [error] = refused.json()["errors"]
        assert (error["field"], error["in"]) == (next(iter(params)), "query")
    unknown_department = await casework.http.get(
        "/v1/cases", params={"department": "no-such-department"}, headers=supervisor
    )
    assert "housing" in unknown_department.json()["errors"][0]["message_zh"]  # the allowed codes
    known_values = {"state": "assigned", "department": "housing"}
    known = await casework.http.get("/v1/cases", params=known_values, headers=supervisor)
    assert known.status_code == 200

"""The Open311 GeoReport v2 facade files real grievances (form-encoded) and refuses bad ones."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
import httpx

from shared.events.contracts import GrievanceReceived
from shared.events.topics import GRIEVANCE_RECEIVED
from tests.support.kafka import end_offsets, read_events
from tests.support.namespace import Namespace

FORM = {
    "service_code": "transport",
    "description": "光明大街与华夏路交叉口的红绿灯坏了三天。早晚高峰车很多，行人过马路很危险。",
    "first_name": "小红",
    "last_name": "黄",
    "phone": "13711112222",
    "address_string": "光明大街与华夏路交叉口",
    "attribute[street]": "光明街道",
    "attribute[community]": "碧眼",
}


async def test_services_list_the_areas_with_a_definition(http: httpx.AsyncClient) -> None:
    services = (await http.get("/open311/v2/services.json")).json()
    assert len(services) == 15
    assert any(s["service_code"] == "transport" and s["service_name"] == "交通运输" for s in services)
    definition = (await http.get("/open311/v2/services/transport.json")).json()
    assert [a["code"] for a in definition["attributes"]] == ["street", "community"]
    assert (await http.get("/open311/v2/services/nope.json")).status_code == 404


async def test_form_request_becomes_a_grievance_with_a_category_hint(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    before = await end_offsets(namespace.bootstrap, namespace.topic(GRIEVANCE_RECEIVED))
    response = await http.post("/open311/v2/requests.json", data=FORM)
    assert response.status_code == 200, response.text
    [created] = response.json()
    tracking_no = created["service_request_id"]
    assert tracking_no.startswith("GM-") and created["tracking_token"]
    row = await db.fetchrow("SELECT channel, title, street FROM intake.grievance WHERE tracking_no = $1", tracking_no)
    assert dict(row) == {"channel": "open311", "title": "光明大街与华夏路交叉口的红绿灯坏了三天", "street": "光明街道"}

    events = await read_events(
        namespace.bootstrap,
        namespace.topic(GRIEVANCE_RECEIVED),
        since=before,
        until=lambda got: any(e.event.data["tracking_no"] == tracking_no for e in got),
    )
    [mine] = [
        GrievanceReceived.model_validate(e.event.data) for e in events if e.event.data["tracking_no"] == tracking_no
    ]
    assert mine.category_hint == "交通运输"
    assert mine.complainant.name_masked == "黄**"


async def test_bad_form_requests_change_nothing(http: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    before = await db.fetchval("SELECT count(*) FROM intake.grievance")
    unknown_service = await http.post("/open311/v2/requests.json", data={**FORM, "service_code": "pothole"})
    no_street = await http.post(
        "/open311/v2/requests.json", data={k: v for k, v in FORM.items() if k != "attribute[street]"}
    )
    as_json = await http.post("/open311/v2/requests.json", json=FORM)
    assert unknown_service.status_code == no_street.status_code == 422
    assert no_street.json()["errors"][0]["field"] == "attribute[street]"
    assert as_json.status_code == 415
    assert await db.fetchval("SELECT count(*) FROM intake.grievance") == before

"""An independent Open311 client (``georeport``) against the real intake process over HTTP, and
status read from real ``grievance.status.v1`` events.

georeport reads (services, requests, one request; JSON and XML) but cannot file, so requests are
filed with a plain form POST exactly as GeoReport v2 describes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from georeport import GeoReport

from shared.events.contracts import GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_STATUS
from shared.events.vocabulary import Status
from tests.support.kafka import publish
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess

FORM = {
    "service_code": "civil_affairs",
    "lat": "22.7712",
    "long": "113.9004",
    "email": "li.si@example.org",
    "description": "公明街道的养老服务站最近关门了，老人们不知道去哪里领取补贴。",
}
AGENCY = "光明区民政局"


def client(intake: ServiceProcess, output_format: str = "json") -> GeoReport:
    return GeoReport(f"{intake.base_url}/open311/v2", output_format=output_format)


async def file(http: httpx.AsyncClient, **changes: str) -> str:
    response = await http.post("/open311/v2/requests.json", data={**FORM, **changes})
    assert response.status_code == 200, response.text
    tracking_no: str = response.json()[0]["service_request_id"]
    return tracking_no


async def status_event(
    db: asyncpg.Connection, tracking_no: str, status: Status, occurred_at: datetime, message: str
) -> CloudEvent:
    grievance_id = str(await db.fetchval("SELECT id FROM intake.grievance WHERE tracking_no = $1", tracking_no))
    payload = GrievanceStatusChanged(
        grievance_id=grievance_id,
        tracking_no=tracking_no,
        status=status,
        stage="casework",
        message_zh=message,
        actor=AGENCY,
        due_at=occurred_at + timedelta(days=60),
        occurred_at=occurred_at,
    )
    return CloudEvent(
        type=payload.event_type,
        source="/grievance-platform/casework",
        subject=grievance_id,
        data=payload.model_dump(mode="json"),
    )


async def eventually(read: Callable[[], Any], holds: Callable[[Any], bool], timeout: float = 20.0) -> Any:
    """Poll ``read`` (a blocking client call, run in a thread) until ``holds`` its answer."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        answer = await asyncio.to_thread(read)
        if holds(answer) or asyncio.get_running_loop().time() > deadline:
            return answer
        await asyncio.sleep(0.3)


async def test_the_client_lists_services_and_reads_a_filed_request(
    intake: ServiceProcess, http: httpx.AsyncClient
) -> None:
    services = await asyncio.to_thread(client(intake).get_service_list)
    assert {s["service_code"] for s in services} >= {"civil_affairs", "transport"}
    definition = await asyncio.to_thread(client(intake, "xml").get_service_definition, "civil_affairs")
    assert definition["service_code"] == "civil_affairs"

    tracking_no = await file(http)
    found = await asyncio.to_thread(client(intake).get_service_request, tracking_no)
    assert found["service_request_id"] == tracking_no
    assert found["service_code"] == "civil_affairs" and found["status"] == "open"
    listed = await asyncio.to_thread(client(intake).get_service_requests, service_request_id=tracking_no)
    assert [r["service_request_id"] for r in listed] == [tracking_no]
    # What was filed is not public: the description and the coordinates stay inside intake.
    assert found["description"] is None and found["lat"] is None

    as_xml = await asyncio.to_thread(client(intake, "xml").get_service_request, tracking_no)
    assert as_xml["service_request_id"] == tracking_no and as_xml["status"] == "open"


async def test_status_follows_grievance_status_events(
    namespace: Namespace, intake: ServiceProcess, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    tracking_no = await file(http)
    # intake's own "received" status event comes back through Kafka to the read model.
    received = await eventually(
        lambda: client(intake).get_service_request(tracking_no), lambda r: r["agency_responsible"] is not None
    )
    assert received["agency_responsible"] == "光明区信访局" and received["expected_datetime"]

    now = datetime.now(UTC)
    topic = namespace.topic(GRIEVANCE_STATUS)
    await publish(namespace.bootstrap, topic, await status_event(db, tracking_no, Status.assigned, now, "已分派"))
    closed_at = now + timedelta(seconds=2)
    closing = await status_event(db, tracking_no, Status.closed, closed_at, "您的诉求已办结。")
    await publish(namespace.bootstrap, topic, closing, times=2)
    # A late, older event must not reopen the request.
    late = await status_event(db, tracking_no, Status.in_progress, now + timedelta(seconds=1), "正在办理")
    await publish(namespace.bootstrap, topic, late)

    done = await eventually(lambda: client(intake).get_service_request(tracking_no), lambda r: r["status"] == "closed")
    assert done["status"] == "closed"
    assert done["agency_responsible"] == AGENCY and done["status_notes"] == "您的诉求已办结。"
    assert datetime.fromisoformat(done["updated_datetime"]) == closed_at
    assert datetime.fromisoformat(done["expected_datetime"]) == closed_at + timedelta(days=60)
    await asyncio.sleep(1.0)  # time for the late event to be consumed
    again = await asyncio.to_thread(client(intake, "xml").get_service_request, tracking_no)
    assert again["status"] == "closed" and again["status_notes"] == "您的诉求已办结。"

    row = await db.fetchrow(
        "SELECT s.status FROM intake.grievance_status s JOIN intake.grievance g ON g.id = s.grievance_id "
        "WHERE g.tracking_no = $1",
        tracking_no,
    )
    assert row["status"] == "closed"


async def test_filters_by_status_service_and_dates(
    namespace: Namespace, intake: ServiceProcess, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    finished = await file(http)
    other = await file(http, service_code="transport")
    closing = await status_event(db, finished, Status.not_accepted, datetime.now(UTC), "不予受理。")
    await publish(namespace.bootstrap, namespace.topic(GRIEVANCE_STATUS), closing)
    geo = client(intake)
    closed = await eventually(
        lambda: geo.get_service_requests(status="closed"),
        lambda found: finished in {r["service_request_id"] for r in found},
    )
    opened = await asyncio.to_thread(geo.get_service_requests, status="open")
    assert finished in {r["service_request_id"] for r in closed}
    assert all(r["status"] == "closed" for r in closed) and all(r["status"] == "open" for r in opened)
    assert other in {r["service_request_id"] for r in opened}
    assert other not in {r["service_request_id"] for r in closed}
    assert finished not in {r["service_request_id"] for r in opened}

    transport = await asyncio.to_thread(geo.get_service_requests, service_code="transport")
    assert [r["service_request_id"] for r in transport] == [other]

    long_ago = await asyncio.to_thread(
        geo.get_service_requests, start_date="2020-01-01T00:00:00Z", end_date="2020-02-01T00:00:00Z"
    )
    assert long_ago == []

    as_xml = await asyncio.to_thread(client(intake, "xml").get_service_requests, service_code="transport")
    # xmltodict gives one element as a mapping, several as a list.
    assert as_xml["service_request_id"] == other

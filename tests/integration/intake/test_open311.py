"""The Open311 GeoReport v2 facade over HTTP: both formats, what is stored, the error lists."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import asyncpg  # type: ignore[import-untyped]
import httpx

from services.intake.settings import DEV_PII_ENCRYPTION_KEY
from shared.events.contracts import GrievanceReceived
from shared.events.topics import GRIEVANCE_RECEIVED
from shared.pii import FieldCipher, decode_key
from tests.support.kafka import end_offsets, read_events
from tests.support.namespace import Namespace

BASE = "/open311/v2"
FULL = {
    "service_code": "transport",
    "description": "光明大街与华夏路交叉口的红绿灯坏了三天。早晚高峰车很多，行人过马路很危险。",
    "first_name": "小红",
    "last_name": "黄",
    "phone": "13711112222",
    "address_string": "光明大街与华夏路交叉口",
    "media_url": "https://files.example.org/light.jpg",
    "attribute[street]": "光明街道",
    "attribute[community]": "碧眼",
}
# What the specification needs and nothing more: no name, no phone, no attributes.
MINIMAL = {
    "service_code": "environmental_protection",
    "lat": "22.7489",
    "long": "113.9357",
    "email": "huang.xiaohong@example.org",
    "description": "茅洲河边上每天晚上都有刺鼻的气味，附近居民开窗都受不了。",
}


def parse_xml(body: bytes) -> ET.Element:
    """The facade's own answer: ElementTree resolves no external entities, so nothing to defuse."""
    return ET.fromstring(body)  # noqa: S314


async def test_services_definition_and_discovery_in_both_formats(http: httpx.AsyncClient) -> None:
    services = (await http.get(f"{BASE}/services.json")).json()
    assert len(services) == 15
    assert any(s["service_code"] == "transport" and s["service_name"] == "交通运输" for s in services)
    as_xml = await http.get(f"{BASE}/services.xml")
    assert as_xml.headers["content-type"].startswith("text/xml")
    root = parse_xml(as_xml.content)
    assert root.tag == "services" and len(root.findall("service")) == 15

    definition = parse_xml((await http.get(f"{BASE}/services/transport.xml")).content)
    assert [a.findtext("code") for a in definition.findall("attributes/attribute")] == ["street", "community"]

    discovery = (await http.get("/open311/discovery.json")).json()
    assert discovery["endpoints"][0]["url"] == str(http.base_url).rstrip("/") + "/open311/v2"
    discovery_xml = parse_xml((await http.get("/open311/discovery.xml")).content)
    assert discovery_xml.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"


async def test_a_minimal_request_is_filed_and_its_location_and_email_are_kept(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    before = await end_offsets(namespace.bootstrap, namespace.topic(GRIEVANCE_RECEIVED))
    response = await http.post(f"{BASE}/requests.json", data=MINIMAL)
    assert response.status_code == 200, response.text
    [created] = response.json()
    tracking_no = created["service_request_id"]
    row = await db.fetchrow(
        """SELECT g.latitude, g.longitude, g.category_hint, g.street, c.email_encrypted, c.email_masked,
                  c.mobile_encrypted, c.mobile_masked, c.name_encrypted, c.name_masked, c.anonymous
           FROM intake.grievance g JOIN intake.complainant c ON c.grievance_id = g.id
           WHERE g.tracking_no = $1""",
        tracking_no,
    )
    assert (row["latitude"], row["longitude"]) == (22.7489, 113.9357)
    assert row["category_hint"] == "环境保护" and row["street"] is None
    assert row["email_masked"] == "h***@example.org"
    assert b"example.org" not in row["email_encrypted"]
    cipher = FieldCipher(decode_key(DEV_PII_ENCRYPTION_KEY))
    assert cipher.decrypt(row["email_encrypted"], field="email") == MINIMAL["email"]
    # No phone and no name: stored as absent, not as a made-up value.
    assert row["mobile_encrypted"] is None and row["mobile_masked"] is None and row["name_encrypted"] is None
    assert row["name_masked"] == "匿名" and row["anonymous"] is True

    events = await read_events(
        namespace.bootstrap,
        namespace.topic(GRIEVANCE_RECEIVED),
        since=before,
        until=lambda got: any(e.event.data["tracking_no"] == tracking_no for e in got),
    )
    [mine] = [
        GrievanceReceived.model_validate(e.event.data) for e in events if e.event.data["tracking_no"] == tracking_no
    ]
    assert mine.complainant.phone_masked is None and mine.complainant.phone_pseudonym is None
    assert "example.org" not in mine.model_dump_json()


async def test_a_full_request_in_xml_keeps_address_media_and_the_named_filer(
    http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    response = await http.post(f"{BASE}/requests.xml", data=FULL)
    assert response.status_code == 200, response.text
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    tracking_no = root.findtext("request/service_request_id")
    assert tracking_no and tracking_no.startswith("GM-")
    row = await db.fetchrow(
        """SELECT g.title, g.address_detail, g.attachments, c.name_masked, c.mobile_masked
           FROM intake.grievance g JOIN intake.complainant c ON c.grievance_id = g.id
           WHERE g.tracking_no = $1""",
        tracking_no,
    )
    assert row["title"] == "光明大街与华夏路交叉口的红绿灯坏了三天"
    assert row["address_detail"] == "光明大街与华夏路交叉口"
    assert "https://files.example.org/light.jpg" in row["attachments"]
    assert (row["name_masked"], row["mobile_masked"]) == ("黄**", "137****2222")


async def test_bad_requests_get_error_lists_and_change_nothing(http: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    before = await db.fetchval("SELECT count(*) FROM intake.grievance")
    unknown_service = await http.post(f"{BASE}/requests.json", data={**MINIMAL, "service_code": "pothole"})
    assert unknown_service.status_code == 400
    [error] = unknown_service.json()
    assert error["code"] == 400 and error["description"].startswith("service_code:")

    no_location = await http.post(
        f"{BASE}/requests.xml", data={k: v for k, v in MINIMAL.items() if k not in ("lat", "long")}
    )
    assert no_location.status_code == 400
    root = parse_xml(no_location.content)
    assert root.tag == "errors" and "位置" in (root.findtext("error/description") or "")

    as_json = await http.post(f"{BASE}/requests.json", json=MINIMAL)
    assert as_json.status_code == 415 and as_json.json()[0]["code"] == 415
    assert await db.fetchval("SELECT count(*) FROM intake.grievance") == before


async def test_unknown_things_are_404_error_lists(http: httpx.AsyncClient) -> None:
    missing = await http.get(f"{BASE}/requests/GM-20000101-999999.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    missing_xml = await http.get(f"{BASE}/requests/GM-20000101-999999.xml")
    assert missing_xml.status_code == 404 and parse_xml(missing_xml.content).findtext("error/code") == "404"
    assert (await http.get(f"{BASE}/services/nope.json")).json()[0]["code"] == 404
    assert (await http.get(f"{BASE}/services.csv")).status_code == 404


async def test_bad_filters_are_400_error_lists(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{BASE}/requests.json", params={"status": "done", "start_date": "yesterday"})
    assert response.status_code == 400
    assert {e["description"].split(":")[0] for e in response.json()} == {"status", "start_date"}

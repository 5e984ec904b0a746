"""GeoReport v2 documents as JSON and XML, the GET filters, and open/closed from the vocabulary."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain.progress import is_closed
from services.intake.open311 import catalog
from services.intake.open311.formats import Open311Error, render, render_errors
from services.intake.open311.listing import RequestRow, parse_query, request_document
from shared.events.vocabulary import Status

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)


def parse_xml(body: bytes | memoryview) -> ET.Element:
    """The facade's own answer: ElementTree resolves no external entities, so nothing to defuse."""
    return ET.fromstring(bytes(body))  # noqa: S314


def test_services_render_as_the_specification_s_xml() -> None:
    root = parse_xml(render("xml", "services", catalog.services()).body)
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    assert first.findtext("service_code") == "urban_rural_construction"
    assert first.findtext("metadata") == "true"
    assert len(root.findall("service")) == 15


def test_service_definition_nests_attributes_and_values() -> None:
    root = parse_xml(render("xml", "service_definition", catalog.service_definition("transport")).body)
    street = root.find("attributes/attribute")
    assert street is not None and street.findtext("code") == "street" and street.findtext("required") == "false"
    assert [v.findtext("key") for v in street.findall("values/value")][:2] == ["光明街道", "公明街道"]


def test_errors_are_a_code_and_description_list_in_both_formats() -> None:
    as_json = render_errors("json", 400, ["lat: 须为数字"])
    assert as_json.status_code == 400
    assert json.loads(bytes(as_json.body)) == [{"code": 400, "description": "lat: 须为数字"}]
    root = parse_xml(render_errors("xml", 404, ["未找到"]).body)
    assert (
        root.tag == "errors" and root.findtext("error/code") == "404" and root.findtext("error/description") == "未找到"
    )


def test_discovery_names_the_endpoint_and_both_formats() -> None:
    document = catalog.discovery("https://intake.example.org/open311/v2", production=True)
    [endpoint] = document["endpoints"]
    assert endpoint["url"] == "https://intake.example.org/open311/v2" and endpoint["type"] == "production"
    root = parse_xml(render("xml", "discovery", document).body)
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_query_defaults_to_the_last_90_days() -> None:
    query = parse_query(now=NOW)
    assert query.end == NOW and query.start == NOW - timedelta(days=90)


def test_ids_override_every_other_filter() -> None:
    query = parse_query(now=NOW, service_request_id="GM-1, GM-2", status="bogus", start_date="nonsense")
    assert query.ids == ("GM-1", "GM-2") and query.start is None and not query.states


def test_filters_are_parsed_and_a_date_without_zone_is_beijing_time() -> None:
    query = parse_query(
        now=NOW, service_code="transport,civil_affairs", start_date="2026-12-01T08:00:00", status="open"
    )
    assert query.service_codes == ("transport", "civil_affairs") and query.states == {"open"}
    assert query.start == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def test_every_bad_filter_is_listed() -> None:
    with pytest.raises(Open311Error) as caught:
        parse_query(now=NOW, service_code="pothole", status="done", start_date="2026-01-01T00:00:00Z")
    assert caught.value.status_code == 400
    assert [d.split(":")[0] for d in caught.value.descriptions] == ["service_code", "status", "start_date, end_date"]


def test_a_request_shows_where_it_stands_but_not_what_was_filed() -> None:
    row = RequestRow(
        tracking_no="GM-20261206-000001",
        category_hint="交通运输",
        received_at=NOW,
        status="assigned",
        closed=False,
        actor="光明区交通运输局",
        message_zh="已分派",
        due_at=NOW + timedelta(days=15),
        updated_at=NOW + timedelta(hours=1),
    )
    document = request_document(row)
    assert document["service_code"] == "transport" and document["status"] == "open"
    assert document["agency_responsible"] == "光明区交通运输局"
    assert document["updated_datetime"] == "2026-12-06T13:00:00+08:00"
    assert document["expected_datetime"] == "2026-12-21T12:00:00+08:00"
    assert document["description"] is None and document["lat"] is None


@pytest.mark.parametrize(
    ("status", "was_closed", "closed"),
    [
        (Status.closed, False, True),
        (Status.not_accepted, False, True),
        (Status.replied, False, False),
        (Status.reopened, True, False),
        (Status.review_requested, True, False),
        (Status.rated, True, True),
        (Status.rated, False, False),
    ],
)
def test_open_or_closed(status: Status, was_closed: bool, closed: bool) -> None:
    assert is_closed(status, was_closed=was_closed) is closed

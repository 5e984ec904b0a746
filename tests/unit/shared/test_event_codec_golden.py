"""The event codec writes exactly the bytes pinned here (values, headers, outbox rows), reads back
what it wrote, and refuses bad records with stable messages: what department clients and stored
outbox rows rely on, whatever the codec's insides."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from shared.db.outbox import outbox_row
from shared.events.citizen_status import citizen_status
from shared.events.contracts import (
    ComplainantView,
    Departments,
    EventPayload,
    GrievanceReceived,
    GrievanceRouted,
    Reason,
    RoutingDecision,
    TrackHandoff,
)
from shared.events.envelope import (
    CloudEvent,
    InvalidEnvelope,
    from_kafka,
    payload_event,
    service_source,
    to_kafka,
)
from shared.events.vocabulary import Area, Channel, Status, Track

MOMENT = datetime(2026, 3, 14, 8, 30, 12, 345678, tzinfo=UTC)
CONTENT = (
    "楼上住户自去年十月起每晚十一点后搬动家具、跳绳,噪音持续到凌晨,家中老人和孩子长期无法入睡。"
    '多次沟通无果,还在楼道堆放杂物堵塞消防通道。"引号"、反斜杠\\、换行\n、制表\t、控制\x01字符、😀。'
)


def received() -> GrievanceReceived:
    return GrievanceReceived(
        grievance_id="5f0c1d2e-8a4b-4c6d-9e7f-000000000001",
        tracking_no="GM-20260314-000001",
        tracking_token_hash="9b" * 32,
        channel=Channel.portal,
        received_at=MOMENT,
        title="楼上住户深夜噪音扰民",
        content=CONTENT,
        street="光明街道",
        attachments=["att-1.jpg"],
        complainant=ComplainantView(name_masked="张*", phone_masked="138****1234", phone_pseudonym="a1" * 32),
    )


def decision(*weights: float) -> RoutingDecision:
    return RoutingDecision(
        track=Track.mediation,
        area=Area.urban_rural_construction,
        departments=Departments(lead="guangming-street-office", co=["housing-bureau"]),
        confidence=0.8731,
        category="物业管理",
        reasons=[
            Reason(kind="rule", code="neighbour-dispute", description="邻里纠纷", legal_basis="《人民调解法》第十七条"),
            *(Reason(kind="model", code=f"m{i}", description="模型", weight=w) for i, w in enumerate(weights)),
        ],
    )


# Floats as the router writes them, and those other JSON encoders write differently from
# json.dumps (pydantic-core below 1e-4), or cannot write at all (inf, nan).
AWKWARD_FLOATS = (0.8731, 2.5, 1e-05, 2.5e-07, -3.3e-05, 1e16, 1e-320, float("inf"), float("nan"))


def payloads() -> list[EventPayload]:
    grievance = received()
    return [
        grievance,
        GrievanceRouted(
            grievance_id=grievance.grievance_id,
            tracking_no=grievance.tracking_no,
            revision=1,
            decision=decision(0.8731, 0.0001),
            routed_at=MOMENT,
        ),
        GrievanceRouted(
            grievance_id=grievance.grievance_id,
            tracking_no=grievance.tracking_no,
            revision=2,
            decision=decision(*AWKWARD_FLOATS),
            routed_at=MOMENT,
        ),
        TrackHandoff(grievance=grievance, decision=decision(0.5), revision=1, handed_off_at=MOMENT),
        citizen_status(
            grievance_id=grievance.grievance_id,
            tracking_no=grievance.tracking_no,
            status=Status.assigned,
            stage="routing",
            message_zh="已分派至光明街道办事处。",
            actor="光明区信访局",
            occurred_at=MOMENT,
            due_at=MOMENT + timedelta(days=15),
            detail={"ratio": 3e-06, "floats": [1e-05, -0.0, 123456789.125], "when": MOMENT, "ids": {1, 2}},
        ),
    ]


def reference_value(data: Any) -> bytes:
    """The payload encoding on the wire, written out here so any faster encoder must match it byte
    for byte."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def reference_headers(event: CloudEvent) -> list[tuple[str, bytes]]:
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", event.id.encode()),
        ("ce_source", event.source.encode()),
        ("ce_type", event.type.encode()),
        ("ce_time", event.time.astimezone(UTC).isoformat().replace("+00:00", "Z").encode()),
        ("ce_subject", event.subject.encode()),
        ("content-type", b"application/json"),
    ]
    if event.correlation_id:
        headers.append(("ce_correlationid", event.correlation_id.encode()))
    if event.traceparent:
        headers.append(("ce_traceparent", event.traceparent.encode()))
    return headers


def published(payload: EventPayload, **attributes: Any) -> CloudEvent:
    return payload_event(payload, source=service_source("router"), subject="g-1", **attributes)


@pytest.mark.parametrize("payload", payloads(), ids=lambda p: type(p).__name__)
def test_records_are_byte_for_byte_what_they_were(payload: EventPayload) -> None:
    event = published(payload, correlation_id="corr-7")
    record = to_kafka(event)

    assert record.value == reference_value(payload.model_dump(mode="json"))
    assert record.headers == reference_headers(event)
    assert record.key == b"g-1"


@pytest.mark.parametrize("payload", payloads(), ids=lambda p: type(p).__name__)
def test_outbox_rows_are_what_they_were(payload: EventPayload) -> None:
    event = published(payload)
    row = outbox_row("grievance.routed", event)

    assert row == {
        "topic": "grievance.routed",
        "key": "g-1",
        "event_id": event.id,
        "event_type": payload.event_type,
        "value": reference_value(payload.model_dump(mode="json")),
        "headers": [[name, raw.decode()] for name, raw in reference_headers(event)],
    }


def test_other_mappings_are_still_written_the_json_dumps_way() -> None:
    # Not JSON values: default=str decides, as it always did.
    data = {"at": MOMENT, "ids": {3}, "raw": b"x", "delta": timedelta(hours=1), "tz": datetime(2026, 1, 1)}
    beijing = MOMENT.astimezone(timezone(timedelta(hours=8)))
    event = CloudEvent(type="t", source="/s", subject="g", data=data, time=beijing)
    record = to_kafka(event)
    assert record.value == reference_value(data)
    assert record.headers == reference_headers(event)


def test_a_lone_surrogate_fails_as_it_did() -> None:
    with pytest.raises(UnicodeEncodeError):
        to_kafka(CloudEvent(type="t", source="/s", subject="g", data={"text": "\ud800"}))


@pytest.mark.parametrize("payload", payloads(), ids=lambda p: type(p).__name__)
def test_decoding_gives_back_the_event(payload: EventPayload) -> None:
    event = published(payload, correlation_id="corr-7")
    record = to_kafka(event)
    decoded = from_kafka(record.key, record.value, record.headers)

    assert repr(decoded.data) == repr(json.loads(record.value))  # repr: nan equals itself here
    if "NaN" not in record.value.decode():  # nan is never equal to itself
        assert decoded == event
    assert type(payload).model_validate(decoded.data).model_dump_json() == payload.model_dump_json()


def old_decode_error(value: bytes) -> str:
    try:
        json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"payload is not JSON: {exc}"
    raise AssertionError("valid JSON")


@pytest.mark.parametrize(
    "value",
    [b"\xff not json", b"{", b'{"a":1,}', b'"a\x01"', b"{'a':1}", b"[1,2,]", b"01", b'{"a":1}x', b"NaN!"],
)
def test_bad_payloads_are_refused_with_the_same_message(value: bytes) -> None:
    record = to_kafka(published(received()))
    with pytest.raises(InvalidEnvelope) as refused:
        from_kafka(record.key, value, record.headers)
    assert str(refused.value) == old_decode_error(value)


@pytest.mark.parametrize(
    ("value", "data"),
    [
        (b'\xef\xbb\xbf{"a":1}', {"a": 1}),  # a BOM, which json.loads skips
        ('{"a":"中文"}'.encode("utf-16"), {"a": "中文"}),
        (b'{"a":"\\ud800"}', {"a": "\ud800"}),  # a lone surrogate, as json.loads reads it
        (b'{"a":1,"a":2}', {"a": 2}),
        (b"", None),  # no value: JSON null, refused below as not an object
    ],
)
def test_payloads_are_read_as_json_loads_reads_them(value: bytes, data: dict[str, Any] | None) -> None:
    record = to_kafka(published(received()))
    if data is None:
        with pytest.raises(InvalidEnvelope, match="payload must be a JSON object"):
            from_kafka(record.key, value, record.headers)
    else:
        assert from_kafka(record.key, value, record.headers).data == data


def test_a_header_that_is_not_utf8_is_named() -> None:
    record = to_kafka(published(received()))
    headers = [*record.headers, ("x-extra", b"\xff")]
    with pytest.raises(InvalidEnvelope, match=r"^header x-extra is not UTF-8$"):
        from_kafka(record.key, record.value, headers)


def test_an_empty_header_counts_as_missing() -> None:
    record = to_kafka(published(received()))
    headers = [(name, None if name == "ce_id" else raw) for name, raw in record.headers]
    with pytest.raises(InvalidEnvelope, match=r"^missing CloudEvents attributes: id$"):
        from_kafka(record.key, record.value, headers)  # type: ignore[arg-type]

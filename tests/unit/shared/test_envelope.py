"""CloudEvents 1.0 binary mode on Kafka: every attribute survives the round trip."""

from datetime import UTC, datetime

import pytest

from shared.events.envelope import CloudEvent, InvalidEnvelope, from_kafka, to_kafka


def make_event() -> CloudEvent:
    return CloudEvent(
        type="cn.gov.guangming.grievance.received.v1",
        source="/grievance-platform/intake",
        subject="3f1c2a9e-0000-4000-8000-000000000001",
        data={"tracking_no": "GM-20261126-000001", "title": "路灯坏了", "n": 3},
        id="evt-1",
        time=datetime(2026, 11, 26, 3, 4, 5, 123000, tzinfo=UTC),
        correlation_id="corr-42",
        traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )


def test_round_trip_keeps_every_attribute_and_the_key() -> None:
    event = make_event()
    record = to_kafka(event)
    headers = dict(record.headers)

    assert record.key == b"3f1c2a9e-0000-4000-8000-000000000001"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_id"] == b"evt-1"
    assert headers["ce_source"] == b"/grievance-platform/intake"
    assert headers["ce_type"] == b"cn.gov.guangming.grievance.received.v1"
    assert headers["ce_time"] == b"2026-11-26T03:04:05.123000Z"
    assert headers["ce_subject"] == record.key
    assert headers["ce_correlationid"] == b"corr-42"
    assert headers["ce_traceparent"].startswith(b"00-4bf92f")
    assert headers["content-type"] == b"application/json"
    assert "路灯坏了".encode() in record.value  # UTF-8, not \u escapes

    assert from_kafka(record.key, record.value, record.headers) == event


def test_subject_falls_back_to_the_record_key() -> None:
    record = to_kafka(make_event())
    headers = [(k, v) for k, v in record.headers if k != "ce_subject"]
    assert from_kafka(b"grievance-9", record.value, headers).subject == "grievance-9"


@pytest.mark.parametrize("dropped", ["ce_id", "ce_source", "ce_type", "ce_specversion"])
def test_missing_required_attribute_is_rejected(dropped: str) -> None:
    record = to_kafka(make_event())
    headers = [(k, v) for k, v in record.headers if k != dropped]
    with pytest.raises(InvalidEnvelope, match=dropped.removeprefix("ce_")):
        from_kafka(record.key, record.value, headers)


def test_payload_must_be_a_json_object() -> None:
    record = to_kafka(make_event())
    with pytest.raises(InvalidEnvelope):
        from_kafka(record.key, b"[1, 2]", record.headers)
    with pytest.raises(InvalidEnvelope):
        from_kafka(record.key, b"\xff not json", record.headers)


def test_other_spec_versions_are_rejected() -> None:
    record = to_kafka(make_event())
    headers = [(k, b"0.3" if k == "ce_specversion" else v) for k, v in record.headers]
    with pytest.raises(InvalidEnvelope, match="specversion"):
        from_kafka(record.key, record.value, headers)

"""CloudEvents 1.0 in Kafka binary content mode.

Attributes travel as ``ce_*`` headers, the value is the JSON payload and the record key is the
subject (the grievance id), so every event about one grievance lands on one partition, in order.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.events.contracts import EventPayload

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
# Extension attributes (lower-case alphanumerics, as the spec requires).
TRACEPARENT = "traceparent"
CORRELATION_ID = "correlationid"
_REQUIRED = ("id", "source", "specversion", "type")
# ce_source of every event a platform service emits: the prefix, then the service's name. Consumers
# accept an event only from a producer of its topic in the catalogue (shared.kafka.sources).
SOURCE_PREFIX = "/grievance-platform/"

Headers = list[tuple[str, bytes]]


class InvalidEnvelope(ValueError):
    """A Kafka record that is not a CloudEvent we can read; never worth retrying."""


@dataclass(frozen=True, slots=True)
class CloudEvent:
    type: str
    source: str
    subject: str
    data: Mapping[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    specversion: str = SPEC_VERSION
    datacontenttype: str = CONTENT_TYPE
    correlation_id: str | None = None
    traceparent: str | None = None

    @property
    def key(self) -> str:
        return self.subject


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: Headers


def payload_event(payload: EventPayload, *, source: str, subject: str, correlation_id: str | None = None) -> CloudEvent:
    """``payload`` as a new event from ``source`` about ``subject``, its data in JSON mode."""
    return CloudEvent(
        type=payload.event_type,
        source=source,
        subject=subject,
        data=payload.model_dump(mode="json"),
        correlation_id=correlation_id,
    )


def encode_data(data: Mapping[str, Any]) -> bytes:
    """The payload's bytes on the wire and in the outbox."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def attribute_headers(event: CloudEvent) -> list[tuple[str, str]]:
    """The event's attributes as (header, text), in the order they travel."""
    headers = [
        ("ce_specversion", event.specversion),
        ("ce_id", event.id),
        ("ce_source", event.source),
        ("ce_type", event.type),
        ("ce_time", _format_time(event.time)),
        ("ce_subject", event.subject),
        ("content-type", event.datacontenttype),
    ]
    if event.correlation_id:
        headers.append((f"ce_{CORRELATION_ID}", event.correlation_id))
    if event.traceparent:
        headers.append((f"ce_{TRACEPARENT}", event.traceparent))
    return headers


def to_kafka(event: CloudEvent) -> KafkaRecord:
    headers: Headers = [(name, text.encode()) for name, text in attribute_headers(event)]
    return KafkaRecord(key=event.subject.encode(), value=encode_data(event.data), headers=headers)


def from_kafka(key: bytes | None, value: bytes | None, headers: Iterable[tuple[str, bytes]]) -> CloudEvent:
    attrs, content_type = _attributes(headers)
    missing = [a for a in _REQUIRED if not attrs.get(a)]
    if missing:
        raise InvalidEnvelope(f"missing CloudEvents attributes: {', '.join(missing)}")
    if attrs["specversion"] != SPEC_VERSION:
        raise InvalidEnvelope(f"unsupported specversion {attrs['specversion']!r}")
    if not content_type.startswith(CONTENT_TYPE):
        raise InvalidEnvelope(f"unsupported content type {content_type!r}")
    subject = attrs.get("subject") or (key.decode() if key else "")
    if not subject:
        raise InvalidEnvelope("event has neither ce_subject nor a record key")
    try:
        data = json.loads(value or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEnvelope(f"payload is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidEnvelope("payload must be a JSON object")
    return CloudEvent(
        type=attrs["type"],
        source=attrs["source"],
        subject=subject,
        data=data,
        id=attrs["id"],
        time=_parse_time(attrs.get("time")),
        specversion=attrs["specversion"],
        datacontenttype=content_type,
        correlation_id=attrs.get(CORRELATION_ID),
        traceparent=attrs.get(TRACEPARENT),
    )


def service_source(service: str) -> str:
    """The ``ce_source`` of events emitted by ``service`` (e.g. ``/grievance-platform/router``)."""
    return f"{SOURCE_PREFIX}{service}"


def header_value(headers: Sequence[tuple[str, bytes]], name: str) -> str | None:
    for key, raw in headers:
        if key == name:
            return raw.decode(errors="replace")
    return None


def _attributes(headers: Iterable[tuple[str, bytes]]) -> tuple[dict[str, str], str]:
    """The ``ce_*`` attributes by name, and the content type; every header must be UTF-8."""
    attrs: dict[str, str] = {}
    content_type = CONTENT_TYPE
    name = ""
    try:
        for name, raw in headers:
            text = (raw or b"").decode()
            if name.startswith("ce_"):
                attrs[name[3:]] = text
            elif name.lower() == "content-type":
                content_type = text
    except UnicodeDecodeError as exc:
        raise InvalidEnvelope(f"header {name} is not UTF-8") from exc
    return attrs, content_type


def _format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_time(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidEnvelope(f"ce_time is not RFC 3339: {text!r}") from exc

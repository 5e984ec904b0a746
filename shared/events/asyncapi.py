"""The topic catalogue as an AsyncAPI 3.0 document, generated from the code (topics.py,
contracts.py, department.py and the department catalog), so the document cannot drift from what
services send.

    python -m shared.events.asyncapi > docs/asyncapi.yaml     # regenerate
    python -m shared.events.asyncapi --check docs/asyncapi.yaml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from shared.catalog import load_catalog
from shared.events import contracts, topics
from shared.events.contracts import EventPayload
from shared.events.department import DEPARTMENT_PAYLOADS

CE_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes in Kafka binary content mode.",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "unique per event; consumers deduplicate on source + id"},
        "ce_source": {"type": "string", "examples": ["/grievance-platform/intake"]},
        "ce_type": {"type": "string", "description": "payload type and version"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "the grievance id (also the record key)"},
        "ce_correlationid": {"type": "string", "description": "correlation id of the originating request"},
        "ce_traceparent": {"type": "string", "description": "W3C trace context"},
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def _payloads_by_topic() -> dict[str, list[type[EventPayload]]]:
    mapping: dict[str, list[type[EventPayload]]] = {}
    for payload in contracts.PAYLOADS:
        if payload is contracts.TrackHandoff:
            for track in ("litigation", "mediation", "petition"):
                mapping.setdefault(topics.track_topic(track), []).append(payload)
        else:
            mapping.setdefault(payload.topic, []).append(payload)
    return mapping


def _topic_configuration(spec: topics.TopicSpec) -> dict[str, Any]:
    """The catalogue's retention and cleanup policy in the Kafka channel binding's terms."""
    return {"cleanup.policy": [spec.cleanup_policy], "retention.ms": spec.retention_ms}


def _channel_id(address: str) -> str:
    parts = address.removesuffix(".v1").replace("{", "").replace("}", "").replace("-", ".").split(".")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def build_document(extra_messages: dict[str, list[type[EventPayload]]] | None = None) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}

    def message_ref(payload: type[EventPayload]) -> dict[str, str]:
        name = payload.__name__
        if name not in messages:
            schema = payload.model_json_schema(ref_template="#/components/schemas/{model}")
            for sub_name, sub_schema in schema.pop("$defs", {}).items():
                schemas[sub_name] = sub_schema
            schemas[name] = schema
            messages[name] = {
                "name": name,
                "title": payload.event_type,
                "summary": (payload.__doc__ or "").strip().splitlines()[0] if payload.__doc__ else name,
                "contentType": "application/json",
                "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
                "payload": {"$ref": f"#/components/schemas/{name}"},
                "bindings": {"kafka": {"key": {"type": "string", "description": "grievance id"}}},
            }
        return {"$ref": f"#/components/messages/{name}"}

    by_topic = _payloads_by_topic()
    for address, payloads in (extra_messages or {}).items():
        by_topic.setdefault(address, []).extend(payloads)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    specs = topics.platform_topics()
    for spec in specs:
        channel_id = _channel_id(spec.name)
        channels[channel_id] = {
            "address": spec.name,
            "description": spec.description,
            "messages": {p.__name__: message_ref(p) for p in by_topic.get(spec.name, [])},
            "bindings": {
                "kafka": {
                    "topic": spec.name,
                    "partitions": spec.partitions,
                    "topicConfiguration": _topic_configuration(spec),
                }
            },
        }
        for producer in spec.producers:
            operations[f"{producer}Sends{channel_id[0].upper()}{channel_id[1:]}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "summary": f"{producer} publishes through its transactional outbox",
            }
        for consumer in spec.consumers:
            operations[f"{_channel_id(consumer.replace(' ', '.'))}Receives{channel_id[0].upper()}{channel_id[1:]}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "summary": f"consumer group {consumer}" if consumer in topics.CONSUMER_GROUPS else consumer,
            }

    department_address = topics.department_topic("{department}")
    channels["departmentCases"] = {
        "address": department_address,
        "description": "Everything a department must act on: assignments and changes of its cases "
        "(readable with any Kafka client, e.g. kcat).",
        "parameters": {"department": {"description": "department code from the catalog", "enum": load_catalog().codes}},
        "messages": {p.__name__: message_ref(p) for p in by_topic.get(department_address, [])},
        "bindings": {
            "kafka": {
                "partitions": topics.DEPARTMENT_PARTITIONS,
                "topicConfiguration": _topic_configuration(topics.department_topics(["{department}"])[0]),
            }
        },
    }
    channels["deadLetters"] = {
        "address": topics.dead_letter_topic("{group}"),
        "description": "Events a consumer group gave up on, with dlq_error/dlq_attempts/dlq_original_* headers; "
        "replay with python -m shared.kafka.dlq.",
        "parameters": {"group": {"enum": list(topics.CONSUMER_GROUPS)}},
        "bindings": {
            "kafka": {
                "partitions": topics.DEAD_LETTER_PARTITIONS,
                "topicConfiguration": _topic_configuration(topics.dead_letter_topics()[0]),
            }
        },
    }
    schemas["CloudEventHeaders"] = CE_HEADERS
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Guangming grievance platform events",
            # minor: additive fields within the v1 event types (1.1: taxonomy category, item, model version)
            "version": "1.1.0",
            "description": "Topics, payloads and CloudEvents headers of the platform. Generated by "
            "`python -m shared.events.asyncapi`; do not edit by hand.",
        },
        "defaultContentType": "application/json",
        "servers": {"local": {"host": "127.0.0.1:19092", "protocol": "kafka", "description": "deploy/local/kafka.sh"}},
        "channels": channels,
        "operations": dict(sorted(operations.items())),
        "components": {"messages": dict(sorted(messages.items())), "schemas": dict(sorted(schemas.items()))},
    }


def render(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.events.asyncapi",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", type=Path, help="fail if this file differs from the generated document")
    args = parser.parse_args(argv)
    department_address = topics.department_topic("{department}")
    text = render(build_document({department_address: list(DEPARTMENT_PAYLOADS)}))
    if args.check:
        if args.check.read_text(encoding="utf-8") != text:
            print(f"{args.check} is out of date: run python -m shared.events.asyncapi > {args.check}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

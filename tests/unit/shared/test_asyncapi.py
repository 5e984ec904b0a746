"""docs/asyncapi.yaml is generated from the code and describes every topic and payload."""

from pathlib import Path
from typing import Any, cast

from shared.events import contracts, topics
from shared.events.asyncapi import main as asyncapi_main
from shared.events.department import DEPARTMENT_PAYLOADS

ROOT = Path(__file__).resolve().parents[3]
DOCUMENT = ROOT / "docs" / "asyncapi.yaml"


def load() -> dict[str, Any]:
    import yaml

    # safe_load returns Any; the generated document is a mapping at its top level.
    return cast(dict[str, Any], yaml.safe_load(DOCUMENT.read_text(encoding="utf-8")))


def test_committed_document_is_up_to_date() -> None:
    assert asyncapi_main(["--check", str(DOCUMENT)]) == 0, "run: python -m shared.events.asyncapi > docs/asyncapi.yaml"


def test_every_topic_and_payload_is_described() -> None:
    document = load()
    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert {spec.name for spec in topics.platform_topics()} <= addresses
    assert topics.department_topic("{department}") in addresses
    assert topics.dead_letter_topic("{group}") in addresses
    messages = document["components"]["messages"]
    for payload in (*contracts.PAYLOADS, *DEPARTMENT_PAYLOADS):
        assert messages[payload.__name__]["title"] == payload.event_type


def test_operations_point_at_existing_channels() -> None:
    document = load()
    for name, operation in document["operations"].items():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        assert channel in document["channels"], name
        assert operation["action"] in {"send", "receive"}


def test_messages_carry_cloudevents_headers_and_the_grievance_key() -> None:
    document = load()
    headers = document["components"]["schemas"]["CloudEventHeaders"]
    assert {"ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "ce_subject"} <= set(headers["required"])
    for message in document["components"]["messages"].values():
        assert message["headers"] == {"$ref": "#/components/schemas/CloudEventHeaders"}
        assert message["bindings"]["kafka"]["key"]["type"] == "string"

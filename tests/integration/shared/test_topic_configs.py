"""ensure_topics writes the catalogue's retention, cleanup policy and min.insync.replicas onto the
topics it creates and brings existing topics back to them, keeping an operator's other settings."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_STATUS, dead_letter_topic, platform_topics
from shared.events.topics import dead_letter_topics as dlq_specs
from shared.kafka.admin import connect_admin, delete_topics_with_prefix, ensure_topics
from shared.settings import ServiceSettings
from tests.support.namespace import bootstrap_servers

DAY_MS = 24 * 3600 * 1000
WATCHED = ("retention.ms", "cleanup.policy", "min.insync.replicas", "max.message.bytes")


async def topic_config(admin: AIOKafkaAdminClient, name: str) -> dict[str, str]:
    [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    [resource] = response.resources
    return {entry[0]: entry[1] for entry in resource[4] if entry[0] in WATCHED}


async def settled(admin: AIOKafkaAdminClient, name: str, key: str, value: str) -> dict[str, str]:
    """The topic's configs once ``key`` reads ``value``: an altered config reaches the broker's
    metadata a moment after the controller acknowledged it."""
    for _ in range(100):
        config = await topic_config(admin, name)
        if config.get(key) == value:
            return config
        await asyncio.sleep(0.1)
    return config


async def test_created_topics_carry_the_catalogue_configs_and_drift_is_repaired() -> None:
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap_servers(), topic_prefix=f"cfg{uuid.uuid4().hex[:8]}.")
    specs = [*platform_topics(), *dlq_specs()]
    try:
        await ensure_topics(settings, specs, max_partitions=1)
        admin = await connect_admin(settings)
        try:
            received = await topic_config(admin, settings.topic(GRIEVANCE_RECEIVED))
            assert received["retention.ms"] == str(30 * DAY_MS)
            assert received["cleanup.policy"] == "delete"
            assert received["min.insync.replicas"] == "1"  # one replica locally
            assert (await topic_config(admin, settings.topic(GRIEVANCE_STATUS)))["retention.ms"] == str(90 * DAY_MS)
            assert (await topic_config(admin, settings.topic(dead_letter_topic("router"))))["retention.ms"] == str(
                90 * DAY_MS
            )

            # An operator shortened the retention by hand and raised the message size.
            status = settings.topic(GRIEVANCE_STATUS)
            await admin.alter_configs(
                [
                    ConfigResource(
                        ConfigResourceType.TOPIC, status, {"retention.ms": "3600000", "max.message.bytes": "2097152"}
                    )
                ]
            )
            assert (await settled(admin, status, "retention.ms", "3600000"))["max.message.bytes"] == "2097152"

            assert await ensure_topics(settings, specs, max_partitions=1) == []  # nothing new to create
            repaired = await settled(admin, status, "retention.ms", str(90 * DAY_MS))
            assert repaired["retention.ms"] == str(90 * DAY_MS), "the catalogue's retention is back"
            assert repaired["cleanup.policy"] == "delete"
            assert repaired["max.message.bytes"] == "2097152", "settings the catalogue does not own are kept"
            untouched = await topic_config(admin, settings.topic(GRIEVANCE_RECEIVED))
            assert untouched == received
        finally:
            await admin.close()
    finally:
        await delete_topics_with_prefix(settings)

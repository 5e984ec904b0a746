"""The topic command creates every catalogue topic with its partition count, idempotently."""

from __future__ import annotations

import uuid

from shared.kafka.admin import catalogue, delete_topics_with_prefix, describe, ensure_topics
from shared.settings import ServiceSettings
from tests.support.namespace import bootstrap_servers


async def test_every_catalogue_topic_exists_with_its_partitions() -> None:
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap_servers(), topic_prefix=f"cat{uuid.uuid4().hex[:8]}.")
    try:
        created = await ensure_topics(settings)
        specs = catalogue()
        assert len(created) == len(specs)
        actual = await describe(settings)
        assert actual == {settings.topic(spec.name): spec.partitions for spec in specs}
        assert settings.topic("dept.housing.cases.v1") in actual
        assert settings.topic("dlq.router.v1") in actual
        assert await ensure_topics(settings) == []  # running it again changes nothing
    finally:
        await delete_topics_with_prefix(settings)

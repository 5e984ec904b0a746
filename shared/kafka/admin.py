"""Create and check the platform's topics from the catalogue (auto-create is off on the broker).

python -m shared.kafka.admin create     # create what is missing, align configs, check partitions
python -m shared.kafka.admin list
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from shared.catalog import load_catalog
from shared.events.topics import TopicSpec, all_topics, min_insync_replicas, topic_configs
from shared.kafka.security import client_kwargs
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)
# How long a topic just created may take to appear, with led partitions, in the broker's metadata.
TOPICS_READY_TIMEOUT_S = 60.0


def catalogue() -> list[TopicSpec]:
    return all_topics(load_catalog().codes)


async def connect_admin(settings: ServiceSettings, *, wait_s: float = 60) -> AIOKafkaAdminClient:
    """An admin client, retrying while the broker is still starting."""
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        admin = AIOKafkaAdminClient(**client_kwargs(settings), client_id=f"{settings.client_id}-admin")
        try:
            await admin.start()
            return admin
        except KafkaConnectionError:
            await admin.close()
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(1)


async def ensure_topics(
    settings: ServiceSettings, specs: list[TopicSpec] | None = None, *, max_partitions: int | None = None
) -> list[str]:
    """Create missing topics; returns the names created. Existing topics keep their partitions, and
    their catalogue configs (retention, cleanup policy, min.insync.replicas) are brought up to date.

    ``max_partitions`` caps the catalogue's counts (throwaway test namespaces keep the broker lean).
    """
    specs = specs if specs is not None else catalogue()
    admin = await connect_admin(settings)
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=settings.topic(spec.name),
                num_partitions=min(spec.partitions, max_partitions or spec.partitions),
                replication_factor=settings.kafka_replication_factor,
                topic_configs=topic_configs(spec, settings.kafka_replication_factor),
            )
            for spec in specs
            if settings.topic(spec.name) not in existing
        ]
        present = [spec for spec in specs if settings.topic(spec.name) in existing]
        altered = await align_topic_configs(admin, settings, present)
        if altered:
            log.info("updated the configs of %d existing topics", len(altered))
        created: list[str] = []
        for start in range(0, len(wanted), 50):
            chunk = wanted[start : start + 50]
            # A concurrent creator may win the race; the topics exist either way.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(chunk)
            created.extend(topic.name for topic in chunk)
        # CreateTopics returns before every broker's metadata lists the topics: a reader that
        # looks once right afterwards can find "no partitions". Callers get topics ready to use.
        await wait_for_partitions(admin, created)
        return created
    finally:
        await admin.close()


# DescribeConfigs' config_source of a value set on the topic itself (not a broker default).
DYNAMIC_TOPIC_CONFIG = 1


async def _replica_counts(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    described = await admin.describe_topics(names)
    return {d["topic"]: min((len(p["replicas"]) for p in d["partitions"]), default=0) for d in described}


async def config_drift(
    admin: AIOKafkaAdminClient, settings: ServiceSettings, specs: list[TopicSpec]
) -> dict[str, dict[str, str]]:
    """For each existing topic whose configs differ from the catalogue: the full set to write.

    The set keeps the topic's other dynamic configs (AlterConfigs replaces them all), and
    min.insync.replicas follows the replicas the topic really has: a topic created with fewer
    replicas than the settings ask for must be reassigned first, or no write would be accepted.
    """
    if not specs:
        return {}
    names = [settings.topic(spec.name) for spec in specs]
    replicas = await _replica_counts(admin, names)
    drift: dict[str, dict[str, str]] = {}
    for start in range(0, len(specs), 50):
        chunk = specs[start : start + 50]
        resources = [ConfigResource(ConfigResourceType.TOPIC, settings.topic(spec.name)) for spec in chunk]
        [response] = await admin.describe_configs(resources)
        described = {res[3]: res[4] for res in response.resources}
        for spec in chunk:
            name = settings.topic(spec.name)
            entries = described.get(name, [])
            current = {entry[0]: entry[1] for entry in entries}
            dynamic = {entry[0]: entry[1] for entry in entries if entry[3] == DYNAMIC_TOPIC_CONFIG}
            factor = min(settings.kafka_replication_factor, replicas.get(name) or settings.kafka_replication_factor)
            wanted = topic_configs(spec, settings.kafka_replication_factor)
            wanted["min.insync.replicas"] = str(min_insync_replicas(factor))
            if any(current.get(key) != value for key, value in wanted.items()):
                drift[name] = {**dynamic, **wanted}
    return drift


async def align_topic_configs(
    admin: AIOKafkaAdminClient, settings: ServiceSettings, specs: list[TopicSpec]
) -> list[str]:
    """Write the catalogue's configs onto existing topics that differ; returns the names altered."""
    drift = await config_drift(admin, settings, specs)
    names = sorted(drift)
    for start in range(0, len(names), 50):
        chunk = names[start : start + 50]
        resources = [ConfigResource(ConfigResourceType.TOPIC, name, drift[name]) for name in chunk]
        for response in await admin.alter_configs(resources):
            failed = [f"{res[3]}: {res[1]} {res[2] or ''}".strip() for res in response.resources if res[0] != 0]
            if failed:
                raise RuntimeError("could not alter topic configs: " + "; ".join(failed))
    return names


async def under_replicated(settings: ServiceSettings, specs: list[TopicSpec]) -> dict[str, int]:
    """Existing topics with fewer replicas than the settings' replication factor (reassign them)."""
    admin = await connect_admin(settings)
    try:
        existing = set(await admin.list_topics())
        names = [settings.topic(s.name) for s in specs if settings.topic(s.name) in existing]
        counts = await _replica_counts(admin, names) if names else {}
        return {name: n for name, n in counts.items() if n < settings.kafka_replication_factor}
    finally:
        await admin.close()


def _ready(described: dict[str, Any]) -> bool:
    partitions = described["partitions"]
    return described["error_code"] == 0 and bool(partitions) and all(p["leader"] >= 0 for p in partitions)


async def wait_for_partitions(
    admin: AIOKafkaAdminClient, names: list[str], *, timeout_s: float = TOPICS_READY_TIMEOUT_S
) -> None:
    """Wait, bounded, until the broker reports every topic in ``names`` with led partitions."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    pending = sorted(set(names))
    delay = 0.05
    while pending:
        described = await admin.describe_topics(pending)
        ready = {d["topic"] for d in described if _ready(d)}
        pending = [name for name in pending if name not in ready]
        if not pending:
            return
        if loop.time() > deadline:
            shown = ", ".join(pending[:5]) + (" …" if len(pending) > 5 else "")
            raise TimeoutError(f"{len(pending)} topics have no partitions after {timeout_s:.0f} s: {shown}")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 1.0)


async def delete_topics_with_prefix(settings: ServiceSettings) -> int:
    """Delete every topic of this settings' prefix (test namespaces); refuses an empty prefix."""
    if not settings.topic_prefix:
        raise ValueError("refusing to delete topics without a topic prefix")
    admin = await connect_admin(settings)
    try:
        names = [t for t in await admin.list_topics() if t.startswith(settings.topic_prefix)]
        if names:
            await admin.delete_topics(names)
        return len(names)
    finally:
        await admin.close()


async def describe(settings: ServiceSettings) -> dict[str, int]:
    admin = await connect_admin(settings)
    try:
        names = sorted(t for t in await admin.list_topics() if t.startswith(settings.topic_prefix))
        metadata = await admin.describe_topics(names)
        return {m["topic"]: len(m["partitions"]) for m in metadata}
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.kafka.admin", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["create", "list"])
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    if args.command == "create":
        created = asyncio.run(ensure_topics(settings))
        actual = asyncio.run(describe(settings))
        mismatched = [
            f"{settings.topic(s.name)}: {actual.get(settings.topic(s.name))} partitions, catalogue says {s.partitions}"
            for s in catalogue()
            if actual.get(settings.topic(s.name), 0) < s.partitions
        ]
        mismatched += [
            f"{name}: {count} replicas, GRIEVANCE_KAFKA_REPLICATION_FACTOR is {settings.kafka_replication_factor}"
            " (reassign with kafka-reassign-partitions)"
            for name, count in asyncio.run(under_replicated(settings, catalogue())).items()
        ]
        print(f"created {len(created)} topics, {len(actual)} present")
        for line in mismatched:
            print(f"warning: {line}", file=sys.stderr)
        return 1 if mismatched else 0
    for name, partitions in asyncio.run(describe(settings)).items():
        print(f"{name}\t{partitions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Create and check the platform's topics from the catalogue (auto-create is off on the broker).

python -m shared.kafka.admin create     # create what is missing, check partition counts
python -m shared.kafka.admin list
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from shared.catalog import load_catalog
from shared.events.topics import TopicSpec, all_topics
from shared.settings import ServiceSettings

DAY_MS = 24 * 3600 * 1000


def catalogue() -> list[TopicSpec]:
    return all_topics(load_catalog().codes)


async def connect_admin(settings: ServiceSettings, *, wait_s: float = 60) -> AIOKafkaAdminClient:
    """An admin client, retrying while the broker is still starting."""
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers, client_id=f"{settings.client_id}-admin"
        )
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
    """Create missing topics; returns the names created. Existing topics keep their partitions.

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
                topic_configs={"retention.ms": str(spec.retention_days * DAY_MS)},
            )
            for spec in specs
            if settings.topic(spec.name) not in existing
        ]
        created: list[str] = []
        for start in range(0, len(wanted), 50):
            chunk = wanted[start : start + 50]
            # A concurrent creator may win the race; the topics exist either way.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(chunk)
            created.extend(topic.name for topic in chunk)
        return created
    finally:
        await admin.close()


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
        print(f"created {len(created)} topics, {len(actual)} present")
        for line in mismatched:
            print(f"warning: {line}", file=sys.stderr)
        return 1 if mismatched else 0
    for name, partitions in asyncio.run(describe(settings)).items():
        print(f"{name}\t{partitions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""On the real broker with SASL/SCRAM and ACLs: a department reads its own topic and nothing else and
writes nothing; a principal without write rights cannot put a forged event where a service reads;
a forged ``ce_source`` from a principal that may write the topic is refused by the consumer."""

from __future__ import annotations

import asyncio
import secrets
import subprocess

import asyncpg  # type: ignore[import-untyped]
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy import text

from services.feedback import db as feedback_db
from services.feedback.settings import Settings as FeedbackSettings
from shared.db.uow import UnitOfWork
from shared.events.contracts import GrievanceReceived
from shared.events.envelope import CloudEvent, service_source, to_kafka
from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_STATUS, dead_letter_topic, department_topic
from shared.kafka.acls import acl_plan, department_principal, service_principal
from shared.kafka.admin import catalogue
from shared.kafka.consumer import EventConsumer
from shared.kafka.principals import sync_principals
from shared.kafka.security import client_kwargs
from shared.runtime import Infrastructure
from shared.settings import ServiceSettings
from tests.support.kafka import end_offsets, kcat_args, publish, read_events
from tests.support.namespace import Namespace

pytestmark = pytest.mark.skipif(
    ServiceSettings().kafka_security_protocol.value == "PLAINTEXT",
    reason="the broker of this run has no authentication (deploy/local/kafka.sh before SASL)",
)

DEPARTMENTS = ["housing", "water"]


@pytest.fixture(scope="module")
async def passwords(namespace: Namespace) -> dict[str, str]:
    """The namespace's own service and department principals, with their ACLs (prefixed names)."""
    admin = namespace.settings(ServiceSettings)
    plan = acl_plan(catalogue(), DEPARTMENTS, namespace.topic_prefix)
    made = {principal: secrets.token_hex(16) for principal in plan}
    report = await sync_principals(admin, plan, made)
    assert report.created == sum(len(acls) for acls in plan.values())
    again = await sync_principals(admin, plan, made)
    assert (again.created, again.removed) == (0, 0)  # idempotent
    return made


def kcat(
    ns: Namespace, who: str, password: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["kcat", *kcat_args(ns.bootstrap, username=who, password=password), "-m", "15", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def as_principal(ns: Namespace, who: str, password: str) -> ServiceSettings:
    return ns.settings(ServiceSettings, kafka_sasl_username=who, kafka_sasl_password=password)


def received_event(grievance_id: str, *, source: str) -> CloudEvent:
    payload = {"grievance_id": grievance_id, "forged": True}
    return CloudEvent(type=GrievanceReceived.event_type, source=source, subject=grievance_id, data=payload)


async def test_a_department_reads_its_own_topic_with_kcat(namespace: Namespace, passwords: dict[str, str]) -> None:
    housing = department_principal("housing", namespace.topic_prefix)
    own = namespace.topic(department_topic("housing"))
    await publish(namespace.bootstrap, own, received_event("g-dept-1", source=service_source("casework")))
    result = kcat(namespace, housing, passwords[housing], "-C", "-t", own, "-o", "beginning", "-e", "-q")
    assert result.returncode == 0, result.stderr
    assert "g-dept-1" in result.stdout


@pytest.mark.parametrize("topic", [department_topic("water"), GRIEVANCE_RECEIVED])
async def test_a_department_cannot_read_another_topic(
    namespace: Namespace, passwords: dict[str, str], topic: str
) -> None:
    housing = department_principal("housing", namespace.topic_prefix)
    result = kcat(namespace, housing, passwords[housing], "-C", "-t", namespace.topic(topic), "-o", "beginning", "-e")
    assert result.returncode != 0
    assert "authoriz" in result.stderr.lower(), result.stderr


@pytest.mark.parametrize("topic", [department_topic("housing"), GRIEVANCE_STATUS])
async def test_a_department_cannot_write_any_topic(namespace: Namespace, passwords: dict[str, str], topic: str) -> None:
    housing = department_principal("housing", namespace.topic_prefix)
    before = await end_offsets(namespace.bootstrap, namespace.topic(topic))
    result = kcat(namespace, housing, passwords[housing], "-P", "-t", namespace.topic(topic), stdin="forged\n")
    assert result.returncode != 0
    assert "authoriz" in result.stderr.lower(), result.stderr
    assert await end_offsets(namespace.bootstrap, namespace.topic(topic)) == before


async def test_a_forged_event_without_write_rights_never_reaches_a_service(
    namespace: Namespace, passwords: dict[str, str]
) -> None:
    """feedback may not write grievance.received.v1: its forged 'received' never lands, so the
    router and feedback consumers can never see it."""
    feedback = service_principal("feedback", namespace.topic_prefix)
    topic = namespace.topic(GRIEVANCE_RECEIVED)
    before = await end_offsets(namespace.bootstrap, topic)
    producer = AIOKafkaProducer(**client_kwargs(as_principal(namespace, feedback, passwords[feedback])), acks="all")
    await producer.start()
    try:
        record = to_kafka(received_event("g-forged-1", source=service_source("intake")))
        with pytest.raises(KafkaError):
            await asyncio.wait_for(producer.send_and_wait(topic, value=record.value, key=record.key), 30)
    finally:
        await producer.stop()
    assert await end_offsets(namespace.bootstrap, topic) == before


async def test_a_forged_source_from_a_writer_of_the_topic_is_refused_by_the_consumer(
    namespace: Namespace, passwords: dict[str, str]
) -> None:
    """intake may write grievance.received.v1, but not as casework: feedback's consumer dead-letters
    the event unhandled and goes on with the genuine one behind it."""
    intake = service_principal("intake", namespace.topic_prefix)
    feedback = service_principal("feedback", namespace.topic_prefix)
    topic = namespace.topic(GRIEVANCE_RECEIVED)
    producer = AIOKafkaProducer(**client_kwargs(as_principal(namespace, intake, passwords[intake])), acks="all")
    await producer.start()
    try:
        for event in (
            received_event("g-src-1", source=service_source("casework")),
            received_event("g-src-1", source=service_source("intake")),
        ):
            record = to_kafka(event)
            await producer.send_and_wait(topic, value=record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()

    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    await conn.execute("CREATE TABLE IF NOT EXISTS public.seen (source text)")
    handled: list[str] = []

    async def handler(event: CloudEvent, uow: UnitOfWork) -> None:
        handled.append(event.source)
        await uow.session.execute(text("INSERT INTO public.seen VALUES (:s)"), {"s": event.source})

    # The consumer runs as the feedback principal: its ACLs suffice for reading and dead-lettering.
    settings = namespace.settings(
        FeedbackSettings, kafka_sasl_username=feedback, kafka_sasl_password=passwords[feedback]
    )
    infra = Infrastructure.build(settings, feedback_db.TABLES)
    await infra.start()
    consumer = EventConsumer(
        settings=settings,
        group_id="feedback",
        topics=[GRIEVANCE_RECEIVED],
        handlers={GrievanceReceived.event_type: handler},
        uow_factory=infra.uow,
        producer=infra.producer,
    )
    task = asyncio.create_task(consumer.run())
    try:
        letters = await read_events(
            namespace.bootstrap, namespace.topic(dead_letter_topic("feedback")), until=lambda got: len(got) >= 1
        )
        deadline = asyncio.get_running_loop().time() + 30
        while not handled:
            assert asyncio.get_running_loop().time() < deadline, "the genuine event was not handled"
            await asyncio.sleep(0.1)
    finally:
        await consumer.stop()
        await asyncio.wait_for(task, 30)
        await infra.close()
    try:
        assert handled == [service_source("intake")]
        assert await conn.fetchval("SELECT count(*) FROM public.seen") == 1
    finally:
        await conn.close()
    [letter] = [r for r in letters if r.event.subject == "g-src-1"]
    assert letter.headers["dlq_error_type"] == b"UntrustedSource"
    assert letter.event.source == service_source("casework")

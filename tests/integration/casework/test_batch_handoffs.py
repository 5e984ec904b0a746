"""A poll batch of hand-offs applied in one transaction (the consumer runner's batch path, with
casework's ``prepare``: cases locked at once, new cases, deadlines and notices written at commit)
leaves exactly what the same events applied one per transaction leave (the per-event path, as
with GRIEVANCE_CONSUMER_BATCH_TRANSACTIONS=false): the same cases, deadlines, repeat links,
notices and outbox events. The batch holds a new petition, a litigation hand-off with its notice,
re-routes of both within the batch, repeats of a stored and of an in-batch case, and a duplicate.

A notice issued in a batch is kept as HTML; its PDF is made on the first download, kept, and is
the same file for every later download, the citizen's or the department's."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from aiokafka import ConsumerRecord, TopicPartition
from pypdf import PdfReader

from services.casework.app import build_context, build_infrastructure, create_app
from services.casework.consumers import GROUP_ID, TOPICS, bind, prepare
from services.casework.settings import Settings
from shared.auth import issue_token
from shared.clock import ManualClock
from shared.events.envelope import CloudEvent, from_kafka
from shared.events.topics import track_topic
from shared.events.vocabulary import PetitionKind, Role, Track
from shared.kafka.admin import catalogue
from shared.kafka.batches import BatchApplier
from shared.kafka.handling import EventHandler
from shared.kafka.sources import check_source, trusted_sources
from shared.runtime import Infrastructure
from tests.integration.casework.conftest import START, Filed, handoff
from tests.support.namespace import Namespace
from tests.support.polls import Poll, consumer_record

CASEWORK_TABLES = ("grievance_case", "deadline", "document", "repeat_link", "outbox", "processed_event", "audit_log")


@dataclass
class Rig:
    settings: Settings
    infra: Infrastructure
    handlers: dict[str, EventHandler]
    batches: BatchApplier
    http: httpx.AsyncClient


@pytest.fixture(scope="module")
async def rig(namespace: Namespace) -> AsyncIterator[Rig]:
    settings = namespace.settings(Settings)
    ctx = build_context(settings, clock=ManualClock(START))
    handlers = bind(ctx)
    trusted = trusted_sources(catalogue(), TOPICS)
    logical = {settings.topic(name): name for name in TOPICS}

    def admit(record: ConsumerRecord[bytes, bytes]) -> CloudEvent:
        event = from_kafka(record.key, record.value, record.headers)
        check_source(trusted, logical[record.topic], event.source)
        return event

    infra = build_infrastructure(settings)
    await infra.start()
    batches = BatchApplier(
        group_id=GROUP_ID, handlers=handlers, uow_factory=infra.uow, admit=admit, prepare=prepare, enabled=True
    )
    app = create_app(settings, ctx=ctx)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://casework", timeout=30) as http:
                yield Rig(settings, infra, handlers, batches, http)
    finally:
        await infra.close()


def poll_of(settings: Settings, events: Sequence[CloudEvent]) -> Poll:
    """The events as one poll would bring them: one partition per track topic, in this order."""
    batch: Poll = {}
    for offset, event in enumerate(events):
        topic = settings.topic(track_topic(event.data["decision"]["track"]))
        batch.setdefault(TopicPartition(topic, 0), []).append(consumer_record(topic, offset, event))
    return batch


def scenario() -> tuple[Filed, list[Filed], Filed]:
    """A stored open case, then a batch of hand-offs (with one delivered twice), and the litigation
    hand-off whose notice is downloaded."""
    stored = handoff(title="楼道照明坏了半年")
    petition = handoff(lead="housing", co=("water",))
    lawsuit = handoff(track=Track.litigation, lead="court", title="法院判决后对方一直不履行")
    arbitration = handoff(track=Track.litigation, lead="labour-arbitration", title="仲裁裁决后公司拒不支付工资")
    batch = [
        petition,
        lawsuit,
        arbitration,
        handoff(repeat_of=stored.grievance_id, title="楼道照明还是没修"),  # repeat of a stored case
        handoff(repeat_of=petition.grievance_id, title="门口积水还在"),  # repeat of a case opened above
        petition,  # delivered again: one effect
        # Re-routes of cases opened in this batch: a new lead, a second transfer notice.
        handoff(grievance_id=petition.grievance_id, tracking_no=petition.tracking_no, lead="water", revision=2),
        handoff(
            track=Track.litigation,
            lead="court",
            grievance_id=arbitration.grievance_id,
            tracking_no=arbitration.tracking_no,
            token=arbitration.token,
            revision=2,
        ),
        handoff(kind=PetitionKind.suggestion, lead="urban-management"),
    ]
    return stored, batch, lawsuit


async def reset(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"TRUNCATE {', '.join(f'casework.{t}' for t in CASEWORK_TABLES)} CASCADE")
    finally:
        await conn.close()


def comparable_event(value: bytes, document_ids: dict[str, str]) -> dict[str, Any]:
    """An outbox event's payload with each notice's random id replaced by the notice's number."""
    text = value.decode()
    for document_id, doc_no in document_ids.items():
        text = text.replace(document_id, doc_no)
    payload: dict[str, Any] = json.loads(text)
    return payload


async def snapshot(dsn: str) -> dict[str, Any]:
    """Everything handling the hand-offs wrote, the random and clock-of-the-server parts left out."""
    conn = await asyncpg.connect(dsn)
    try:
        cases = await conn.fetch(
            "SELECT grievance_id, tracking_no, track, petition_kind, state, lead_department, co_departments, revision,"
            " urgent, confidential, final, next_due_at, remedy_window_ends_on, aggregate::jsonb::text AS aggregate"
            " FROM casework.grievance_case ORDER BY grievance_id"
        )
        deadlines = await conn.fetch("SELECT * FROM casework.deadline ORDER BY grievance_id, seq")
        documents = await conn.fetch(
            "SELECT id, grievance_id, kind, title, doc_no, issued_by, issuer_name, html, pdf IS NULL AS pdf_later"
            " FROM casework.document ORDER BY grievance_id, doc_no"
        )
        document_ids = {row["id"]: row["doc_no"] for row in documents}
        links = await conn.fetch(
            "SELECT grievance_id, tracking_no, open_grievance_id, revision, outcome FROM casework.repeat_link"
            " ORDER BY grievance_id"
        )
        outbox = await conn.fetch("SELECT key, topic, event_type, value FROM casework.outbox ORDER BY id")
        per_key: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        for row in outbox:
            event = (row["topic"], row["event_type"], comparable_event(row["value"], document_ids))
            per_key.setdefault(row["key"], []).append(event)
        return {
            "cases": [dict(row) for row in cases],
            "deadlines": [dict(row) for row in deadlines],
            "documents": [{k: v for k, v in row.items() if k != "id"} for row in documents],
            "links": [dict(row) for row in links],
            "outbox": per_key,
            "claimed": await conn.fetchval("SELECT count(*) FROM casework.processed_event"),
        }
    finally:
        await conn.close()


async def one_by_one(rig: Rig, events: Sequence[CloudEvent]) -> None:
    """The events in the order the batch path takes them, each as the runner's per-event path
    handles it: claim, use case, commit, in a transaction of its own."""
    for records in poll_of(rig.settings, events).values():
        for record in records:
            event = from_kafka(record.key, record.value, record.headers)
            async with rig.infra.uow() as uow:
                if await uow.claim(event, GROUP_ID):
                    await rig.handlers[event.type](event, uow)
                    await uow.commit()


async def test_a_batch_of_handoffs_leaves_what_one_by_one_leaves(rig: Rig, namespace: Namespace) -> None:
    stored, batch, _ = scenario()
    events = [filed.event for filed in batch]

    await one_by_one(rig, [stored.event])
    assert await rig.batches.apply(poll_of(rig.settings, events)), "the batch path declined the poll"
    batched = await snapshot(namespace.asyncpg_dsn)

    await reset(namespace.asyncpg_dsn)
    await one_by_one(rig, [stored.event])
    await one_by_one(rig, events)
    alone = await snapshot(namespace.asyncpg_dsn)

    assert batched == alone
    # The comparison is about something: every case, notice, link and event is there.
    assert len(batched["cases"]) == 5 and batched["claimed"] == 9  # the duplicate claimed once
    assert [d["kind"] for d in batched["documents"]] == ["legal_transfer_notice"] * 3
    assert all(d["pdf_later"] for d in batched["documents"])
    arbitration = batch[2]
    second_notice = [d["doc_no"] for d in batched["documents"] if d["grievance_id"] == arbitration.grievance_id]
    assert len(set(second_notice)) == 2, second_notice  # the re-route's notice numbered after the first
    assert {link["outcome"] for link in batched["links"]} == {"linked"}
    assert len(batched["links"]) == 2
    petition_case = next(c for c in batched["cases"] if c["grievance_id"] == batch[0].grievance_id)
    assert petition_case["lead_department"] == "water" and petition_case["revision"] == 2
    assert len(batched["deadlines"]) >= 7


async def test_a_notice_issued_in_a_batch_downloads_as_its_pdf(rig: Rig, namespace: Namespace) -> None:
    stored, batch, lawsuit = scenario()
    await reset(namespace.asyncpg_dsn)
    await one_by_one(rig, [stored.event])
    assert await rig.batches.apply(poll_of(rig.settings, [filed.event for filed in batch]))
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        document_id, html = await conn.fetchrow(
            "SELECT id, html FROM casework.document WHERE grievance_id = $1", lawsuit.grievance_id
        )
        assert await conn.fetchval("SELECT pdf IS NULL FROM casework.document WHERE id = $1", document_id)

        citizen = await rig.http.get(f"/v1/public/documents/{document_id}", headers={"X-Tracking-Token": lawsuit.token})
        assert citizen.status_code == 200 and citizen.headers["content-type"] == "application/pdf"
        text = "".join(
            "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(citizen.content)).pages).split()
        )
        for element in (
            "涉法涉诉事项告知书",
            "法院判决后对方一直不履行",
            "深圳市光明区人民法院",
            "《信访工作条例》第二十二条",
        ):
            assert element in html and element in text, element
        kept = await conn.fetchval("SELECT pdf FROM casework.document WHERE id = $1", document_id)
        assert kept == citizen.content  # made once, then kept

        token = issue_token(rig.settings, subject="officer-court", role=Role.department_officer, department="court")
        staff = await rig.http.get(
            f"/v1/cases/{lawsuit.grievance_id}/documents/{document_id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert staff.status_code == 200 and staff.content == citizen.content
        as_html = await rig.http.get(
            f"/v1/public/documents/{document_id}",
            params={"format": "html"},
            headers={"X-Tracking-Token": lawsuit.token},
        )
        assert as_html.status_code == 200 and as_html.text == html

        wrong = await rig.http.get(f"/v1/public/documents/{document_id}", headers={"X-Tracking-Token": "0" * 32})
        assert wrong.status_code == 404
    finally:
        await conn.close()

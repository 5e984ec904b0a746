"""Server-Sent Events on real processes' parts: token check, live push, Last-Event-ID resume, and
fan-out to every API process."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from services.feedback.app import FeedbackApiPart, TimelineWriterPart, create_app
from services.feedback.settings import Settings
from shared.events import topics
from shared.events.contracts import GrievanceReceived
from shared.events.vocabulary import Status
from shared.runtime import Part
from tests.integration.feedback.support import (
    SseReader,
    new_received,
    received_event,
    running,
    status_event,
    wait_ready,
    wait_until,
)
from tests.support.kafka import publish
from tests.support.namespace import Namespace
from tests.support.processes import free_port

TOKEN = "citizen-secret-token-0002"
# How long a stream asked for an unknown number waits for it (long enough for the writer to
# project a grievance.received just published, on a loaded machine).
HOLD_S = 8.0


@pytest.fixture(scope="module")
async def apis(namespace: Namespace) -> AsyncIterator[tuple[str, str]]:
    """Two API processes' apps (each with its own LISTEN connection) and one timeline writer."""
    ports = [free_port(), free_port()]
    parts: list[Part] = []
    for port in ports:
        settings = namespace.settings(
            Settings,
            http_port=port,
            sse_keepalive_s=0.5,
            sse_hold_unknown_s=HOLD_S,
            stream_rate_limit="1000/minute",
            lookup_rate_limit="1000/minute",
        )
        parts.append(FeedbackApiPart(create_app(settings), host="127.0.0.1", port=port))
    parts.append(TimelineWriterPart(namespace.settings(Settings)))
    async with running(parts):
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            await wait_ready(base)
        yield bases[0], bases[1]


async def known_grievance(namespace: Namespace, api: str, *statuses: Status) -> GrievanceReceived:
    received = new_received(token=TOKEN)
    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received))
    for status in statuses:
        await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(received, status))
    await until_sequence(api, received, len(statuses))
    return received


async def until_sequence(api: str, received: GrievanceReceived, sequence: int) -> None:
    async with httpx.AsyncClient() as client:

        async def reached() -> bool:
            response = await client.get(
                f"{api}/v1/grievances/{received.tracking_no}/timeline", headers={"X-Tracking-Token": TOKEN}
            )
            return response.status_code == 200 and response.json()["last_sequence"] >= sequence

        await wait_until(reached, what=f"sequence {sequence} on the timeline")


def events_url(api: str, received: GrievanceReceived, token: str | None = TOKEN) -> str:
    url = f"{api}/v1/grievances/{received.tracking_no}/events"
    return f"{url}?token={token}" if token else url


async def test_a_stream_without_a_valid_token_is_refused(namespace: Namespace, apis: tuple[str, str]) -> None:
    api, _ = apis
    received = await known_grievance(namespace, api, Status.received)
    urls = (
        events_url(api, received, token=None),
        events_url(api, received, token="wrong-token"),
        f"{api}/v1/grievances/GM-20990101-000001/events?token={TOKEN}",
    )
    async with httpx.AsyncClient() as client:

        async def refused(url: str) -> float:
            began = time.monotonic()
            response = await client.get(url, timeout=HOLD_S + 20)
            assert response.status_code == 404, url
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"] == "未找到该编号的诉求，或查询码不正确。"
            return time.monotonic() - began

        # Each waits as long as a number not known yet would: the answer tells nothing by its time.
        waited = await asyncio.gather(*(refused(url) for url in urls))
        assert min(waited) >= HOLD_S * 0.9, waited
        garbled = await client.get(events_url(api, received), headers={"Last-Event-ID": "abc"}, timeout=5)
        assert garbled.status_code == 422


async def test_a_stream_asked_for_before_the_grievance_is_known_opens_when_it_is(
    namespace: Namespace, apis: tuple[str, str]
) -> None:
    api, _ = apis
    received = new_received(token=TOKEN)
    async with httpx.AsyncClient() as client:
        # The citizen's page asks at once, before feedback has heard of the filing.
        opening = asyncio.create_task(SseReader(client, events_url(api, received)).__aenter__())
        await asyncio.sleep(0.5)
        assert not opening.done()  # held, not refused
        await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received))
        await publish(
            namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(received, Status.received)
        )
        async with asyncio.timeout(HOLD_S + 5):
            reader = await opening
        try:
            assert reader.status_code == 200
            events = await reader.read_events(1)
            assert [json.loads(e.data)["status"] for e in events] == ["received"]
        finally:
            await reader.__aexit__(None, None, None)


async def test_resume_after_a_dropped_connection_gets_exactly_the_missing_events(
    namespace: Namespace, apis: tuple[str, str]
) -> None:
    api, _ = apis
    received = await known_grievance(namespace, api, Status.received, Status.classified)
    status_topic = namespace.topic(topics.GRIEVANCE_STATUS)
    async with httpx.AsyncClient() as client:
        async with SseReader(client, events_url(api, received)) as first:
            assert first.status_code == 200
            assert first.content_type.startswith("text/event-stream")
            events = await first.read_events(2)
        assert [e.id for e in events] == ["1", "2"]
        assert [json.loads(e.data)["status"] for e in events] == ["received", "classified"]
        assert {e.event for e in events} == {"status"}

        # The connection is gone; three statuses happen meanwhile.
        for status in (Status.assigned, Status.signed_for, Status.accepted):
            await publish(namespace.bootstrap, status_topic, status_event(received, status))
        await until_sequence(api, received, 5)

        async with SseReader(client, events_url(api, received), headers={"Last-Event-ID": "2"}) as resumed:
            missed = await resumed.read_events(3)
            await publish(namespace.bootstrap, status_topic, status_event(received, Status.in_progress))
            await resumed.read_events(4)
            await resumed.settle(1.0)
        assert [e.id for e in resumed.events] == ["3", "4", "5", "6"]
        assert [json.loads(e.data)["status"] for e in missed[:3]] == ["assigned", "signed_for", "accepted"]
        assert json.loads(resumed.events[3].data)["status_label"] == "办理中"


async def test_every_api_process_pushes_every_status(namespace: Namespace, apis: tuple[str, str]) -> None:
    api_a, api_b = apis
    received = await known_grievance(namespace, api_a, Status.received)
    async with httpx.AsyncClient() as client:
        async with (
            SseReader(client, events_url(api_a, received) + "&last_event_id=1") as on_a,
            SseReader(client, events_url(api_b, received) + "&last_event_id=1") as on_b,
        ):
            # Both are connected and idle (a keep-alive proves the stream is open) before the event.
            await on_a.read_until(lambda r: bool(r.comments), timeout=5)
            await on_b.read_until(lambda r: bool(r.comments), timeout=5)
            await publish(
                namespace.bootstrap,
                namespace.topic(topics.GRIEVANCE_STATUS),
                status_event(received, Status.assigned, message_zh="您的诉求已分派至光明区住房和建设局办理。"),
            )
            await on_a.read_events(1)
            await on_b.read_events(1)
        assert [e.id for e in on_a.events] == [e.id for e in on_b.events] == ["2"]
        assert json.loads(on_a.events[0].data) == json.loads(on_b.events[0].data)
        assert json.loads(on_b.events[0].data)["message_zh"] == "您的诉求已分派至光明区住房和建设局办理。"
        assert any(c.text == "keep-alive" for c in on_a.comments)

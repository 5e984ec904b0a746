"""The timeline read model on the real broker and database: order, redelivery, early statuses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from services.feedback.app import FeedbackApiPart, TimelineWriterPart, create_app
from services.feedback.settings import Settings
from shared.events import topics
from shared.events.vocabulary import Status
from shared.runtime import Part
from tests.integration.feedback.support import (
    new_received,
    received_event,
    running,
    status_event,
    wait_group_caught_up,
    wait_ready,
    wait_until,
)
from tests.support.kafka import publish
from tests.support.namespace import Namespace
from tests.support.processes import free_port

TOKEN = "citizen-secret-token-0001"


@pytest.fixture(scope="module")
async def api(namespace: Namespace) -> AsyncIterator[str]:
    """One API and the writer (group feedback) for the whole module, in this test's loop."""
    port = free_port()
    settings = namespace.settings(Settings, http_port=port, lookup_rate_limit="1000/minute")
    parts: list[Part] = [
        FeedbackApiPart(create_app(settings), host="127.0.0.1", port=port),
        TimelineWriterPart(settings),
    ]
    async with running(parts):
        base = f"http://127.0.0.1:{port}"
        await wait_ready(base)
        yield base


async def timeline(base: str, tracking_no: str, token: str = TOKEN) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(f"{base}/v1/grievances/{tracking_no}/timeline", headers={"X-Tracking-Token": token})


async def test_statuses_in_order_and_each_once_under_redelivery(namespace: Namespace, api: str) -> None:
    received = new_received(token=TOKEN)
    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received), times=2)
    statuses = [Status.received, Status.classified, Status.assigned, Status.signed_for, Status.in_progress]
    for status in statuses:
        # Every event reaches the broker twice, as after a producer retry or a relay crash.
        await publish(
            namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(received, status), times=2
        )

    async def complete() -> bool:
        response = await timeline(api, received.tracking_no)
        return response.status_code == 200 and response.json()["last_sequence"] >= len(statuses)

    await wait_until(complete, what="five statuses on the timeline")
    # Every copy has been read (and skipped) before the table is checked.
    await wait_group_caught_up(
        namespace.bootstrap,
        f"{namespace.topic_prefix}feedback",
        [namespace.topic(topics.GRIEVANCE_RECEIVED), namespace.topic(topics.GRIEVANCE_STATUS)],
    )
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        rows = await conn.fetch(
            "SELECT seq, status FROM feedback.timeline_entry WHERE grievance_id = $1 ORDER BY seq",
            received.grievance_id,
        )
    finally:
        await conn.close()
    assert [(r["seq"], r["status"]) for r in rows] == [(i + 1, s.value) for i, s in enumerate(statuses)]
    body = (await timeline(api, received.tracking_no)).json()
    assert [e["sequence"] for e in body["entries"]] == [1, 2, 3, 4, 5]
    assert [e["status"] for e in body["entries"]] == [s.value for s in statuses]
    assert body["status"] == "in_progress"
    assert body["status_label"] == "办理中"
    assert body["entries"][0]["status_label"] == "已登记"


async def test_a_status_before_the_grievance_is_known_is_kept_and_shown_later(namespace: Namespace, api: str) -> None:
    received = new_received(token=TOKEN)
    await publish(
        namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(received, Status.received)
    )
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:

        async def kept() -> bool:
            count = await conn.fetchval(
                "SELECT count(*) FROM feedback.timeline_entry WHERE grievance_id = $1", received.grievance_id
            )
            return bool(count == 1)

        await wait_until(kept, what="the early status stored")
    finally:
        await conn.close()
    # Without the received event there is no token hash: the number is not found, whatever the token.
    early = await timeline(api, received.tracking_no)
    assert early.status_code == 404

    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received))

    async def known() -> bool:
        return (await timeline(api, received.tracking_no)).status_code == 200

    await wait_until(known, what="the grievance known")
    body = (await timeline(api, received.tracking_no)).json()
    assert [(e["sequence"], e["status"]) for e in body["entries"]] == [(1, "received")]
    assert body["channel"] == "portal"


async def test_wrong_token_and_unknown_number_get_the_same_404(namespace: Namespace, api: str) -> None:
    received = new_received(token=TOKEN)
    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received))

    async def known() -> bool:
        return (await timeline(api, received.tracking_no)).status_code == 200

    await wait_until(known, what="the grievance known")
    wrong = await timeline(api, received.tracking_no, token="not-the-token")
    unknown = await timeline(api, "GM-20990101-999999")
    async with httpx.AsyncClient() as client:
        missing = await client.get(f"{api}/v1/grievances/{received.tracking_no}/timeline")
    assert wrong.status_code == unknown.status_code == missing.status_code == 404
    assert wrong.headers["content-type"] == "application/problem+json"

    def without_instance(response: httpx.Response) -> dict[str, object]:
        return {k: v for k, v in response.json().items() if k != "instance"}

    assert without_instance(wrong) == without_instance(unknown) == without_instance(missing)
    async with httpx.AsyncClient() as client:
        by_query = await client.get(f"{api}/v1/grievances/{received.tracking_no}/timeline", params={"token": TOKEN})
    assert by_query.status_code == 200

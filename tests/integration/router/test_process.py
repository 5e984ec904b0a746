"""``python -m services.router all`` as a real process: ready, routes an event, serves metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.router.training.artifact import ensure_artifact
from shared.events.contracts import GrievanceRouted
from shared.events.envelope import CloudEvent, service_source
from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_ROUTED
from tests.integration.router.conftest import received
from tests.support.kafka import publish, read_events
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess, free_port


@pytest.fixture(scope="module")
async def service(namespace: Namespace) -> AsyncIterator[ServiceProcess]:
    ensure_artifact()
    port = free_port()
    process = ServiceProcess("router", "all", namespace.env(ROUTER_HTTP_PORT=str(port)), name="router-all", port=port)
    process.start()
    try:
        await process.wait_ready(timeout=90)
        yield process
    finally:
        await process.stop()


async def test_router_process_routes_and_reports(namespace: Namespace, service: ServiceProcess) -> None:
    grievance = received("我们小区门口那条路的路灯坏了半个多月，晚上黑乎乎的，麻烦派人来修一下", title="路灯坏了")
    event = CloudEvent(type=grievance.event_type, source=service_source("intake"), subject=grievance.grievance_id,
                       data=grievance.model_dump(mode="json"))  # fmt: skip
    await publish(namespace.bootstrap, namespace.topic(GRIEVANCE_RECEIVED), event)
    routed = await read_events(
        namespace.bootstrap,
        namespace.topic(GRIEVANCE_ROUTED),
        until=lambda got: any(e.event.subject == grievance.grievance_id for e in got),
        timeout=60,
    )
    [mine] = [e for e in routed if e.event.subject == grievance.grievance_id]
    assert GrievanceRouted.model_validate(mine.event.data).decision.area.value == "城乡建设"
    async with httpx.AsyncClient(base_url=service.base_url) as client:
        metrics = (await client.get("/metrics")).text
        assert "router_reviews_pending" in metrics
        assert 'router_classifications_total{decided_by="classifier",needs_review="false",track="petition"}' in metrics
        assert (await client.get("/v1/reviews")).status_code == 401

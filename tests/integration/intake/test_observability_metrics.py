"""What Prometheus scrapes from real intake processes: submissions per channel (replays and
refused requests not counted), requests by route template, and a relay's outbox backlog on its
metrics port."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.intake.conftest import portal_body
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess, free_port


def sample(text: str, name: str, labels: dict[str, str]) -> float | None:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return None


async def portal_count(http: httpx.AsyncClient) -> float | None:
    return sample((await http.get("/metrics")).text, "intake_submissions_total", {"channel": "portal"})


async def test_portal_submissions_are_counted_once(http: httpx.AsyncClient) -> None:
    before = await portal_count(http)
    assert before is not None, "the portal channel is exported before its first grievance"
    key = f"metrics-{uuid.uuid4()}"
    first = await http.post("/v1/grievances", json=portal_body(), headers={"Idempotency-Key": key})
    assert first.status_code == 202
    assert await portal_count(http) == before + 1

    replay = await http.post("/v1/grievances", json=portal_body(), headers={"Idempotency-Key": key})
    assert replay.headers["idempotent-replayed"] == "true"
    refused = await http.post("/v1/grievances", json=portal_body(content=""))
    assert refused.status_code == 422
    assert await portal_count(http) == before + 1


async def test_requests_are_counted_by_route_template_whatever_answered_them(http: httpx.AsyncClient) -> None:
    """Routed requests under their template; refused before routing (413) still under it; no
    route (404) and a route without the method (405) as unmatched."""

    def requests(route: str, method: str, status: str, text: str) -> float:
        return sample(text, "http_requests_total", {"route": route, "method": method, "status": status}) or 0.0

    series = [
        ("/v1/grievances/{tracking_no}", "GET", "404"),
        ("/v1/grievances", "POST", "413"),
        ("unmatched", "GET", "404"),
        ("unmatched", "DELETE", "405"),
    ]
    before = (await http.get("/metrics")).text
    assert (await http.get("/v1/grievances/GM-NOPE", headers={"X-Tracking-Token": "x"})).status_code == 404
    oversized = await http.post(
        "/v1/grievances", content=b"{" + b" " * (80 * 1024) + b"}", headers={"Content-Type": "application/json"}
    )
    assert oversized.status_code == 413
    assert (await http.get("/nowhere")).status_code == 404
    assert (await http.delete("/v1/grievances")).status_code == 405
    after = (await http.get("/metrics")).text
    assert [requests(*s, after) - requests(*s, before) for s in series] == [1.0, 1.0, 1.0, 1.0]


async def test_a_relay_serves_its_outbox_backlog_on_the_metrics_port(namespace: Namespace) -> None:
    port = free_port()
    relay = ServiceProcess(
        "intake", "relay", namespace.env(INTAKE_METRICS_PORT=str(port)), name=f"intake-relay-metrics-{namespace.name}"
    ).start()
    try:
        deadline = time.monotonic() + 40
        backlog = None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
            while backlog is None and time.monotonic() < deadline:
                try:
                    response = await client.get("/metrics")
                    backlog = sample(response.text, "outbox_backlog", {"schema": "intake"})
                except httpx.TransportError:
                    pass
                if backlog is None:
                    await asyncio.sleep(0.5)
            assert backlog is not None, f"no outbox_backlog from the relay; log: {relay.log_path}"
            assert backlog >= 0
            assert (await client.get("/healthz")).json() == {"status": "ok"}
    finally:
        await relay.stop()

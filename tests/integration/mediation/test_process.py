"""``python -m services.mediation all`` as a real process: it serves, consumes, publishes, stops
cleanly on SIGTERM, and after a restart a redelivered hand-off changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.mediation.settings import Settings
from shared.auth import issue_token
from shared.events.topics import GRIEVANCE_STATUS
from shared.events.vocabulary import Role
from tests.integration.mediation.harness import handoff_event
from tests.support.kafka import publish, read_events
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess, free_port


def _start(namespace: Namespace, port: int) -> ServiceProcess:
    env = namespace.env(MEDIATION_HTTP_PORT=str(port), MEDIATION_SCHEDULER_INTERVAL_S="1")
    return ServiceProcess("mediation", "all", env, name=f"mediation-all-{namespace.name}", port=port).start()


async def _case(client: httpx.AsyncClient, headers: dict[str, str], grievance_id: str) -> dict[str, Any]:
    for _ in range(150):
        cases = (await client.get("/v1/mediations", headers=headers)).json()
        found = [c for c in cases if c["grievance_id"] == grievance_id]
        if found:
            detail: dict[str, Any] = (await client.get(f"/v1/mediations/{found[0]['id']}", headers=headers)).json()
            return detail
        await asyncio.sleep(0.2)
    raise TimeoutError("the process did not open the case")


async def test_the_service_process_runs_restarts_and_stays_idempotent(namespace: Namespace) -> None:
    settings = namespace.settings(Settings)
    supervisor = {"Authorization": "Bearer " + issue_token(settings, subject="sup", role=Role.supervisor)}
    port = free_port()
    process = _start(namespace, port)
    event = handoff_event(title="租房押金不退", content="房东拒绝退还押金三千元", respondent="房东王某")
    topic = namespace.topic("grievance.track.mediation.v1")
    try:
        await process.wait_ready()
        await publish(namespace.bootstrap, topic, event, times=2)
        async with httpx.AsyncClient(base_url=process.base_url) as client:
            case = await _case(client, supervisor, event.subject)
            lead = next(m for m in case["mediators"] if m["role"] == "lead")
            headers = {
                "Authorization": "Bearer "
                + issue_token(settings, subject=f"mediator.{lead['id']}", role=Role.mediator, department=lead["office"])
            }
            withdrawn = await client.post(
                f"/v1/mediations/{case['id']}/close",
                json={"outcome": "withdrawal", "reason": "双方已自行和解"},
                headers=headers,
            )
            assert withdrawn.status_code == 200, withdrawn.text
            assert withdrawn.json()["state"] == "withdrawn"
        process.kill(15)
        assert await process.wait_exit() == 0

        process = _start(namespace, port)
        await process.wait_ready()
        await publish(namespace.bootstrap, topic, event)
        async with httpx.AsyncClient(base_url=process.base_url) as client:
            await asyncio.sleep(3)  # give the restarted consumer time to see the redelivery
            cases = (await client.get("/v1/mediations", headers=supervisor)).json()
            assert [c["state"] for c in cases if c["grievance_id"] == event.subject] == ["withdrawn"]
    finally:
        await process.stop()

    received = await read_events(
        namespace.bootstrap,
        namespace.topic(GRIEVANCE_STATUS),
        until=lambda rs: any(r.event.data["status"] == "closed" for r in rs if r.event.subject == event.subject),
        settle=1.0,
    )
    assert [r.event.data["status"] for r in received if r.event.subject == event.subject] == [
        "mediation_opened",
        "closed",
    ]

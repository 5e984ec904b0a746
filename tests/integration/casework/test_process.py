"""``python -m services.casework all`` as a real process: it starts, takes a hand-off from Kafka,
serves the department API, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from services.casework.settings import Settings
from shared.auth import issue_token
from shared.events.vocabulary import Role
from tests.integration.casework.conftest import hand_off, handoff
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess, free_port


@pytest.fixture(scope="module")
async def process(namespace: Namespace) -> AsyncIterator[ServiceProcess]:
    port = free_port()
    service = ServiceProcess(
        "casework",
        "all",
        namespace.env(CASEWORK_HTTP_PORT=str(port), CASEWORK_SCHEDULER_INTERVAL_S="1"),
        name=f"casework-{namespace.name}",
        port=port,
    ).start()
    try:
        await service.wait_ready()
        yield service
    finally:
        await service.stop()


async def test_the_process_takes_a_hand_off_and_serves_it(namespace: Namespace, process: ServiceProcess) -> None:
    filed = handoff(lead="water")
    await hand_off(namespace, filed)
    token = issue_token(
        namespace.settings(Settings), subject="officer-water", role=Role.department_officer, department="water"
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=process.base_url, timeout=10) as http:
        for _ in range(100):
            response = await http.get(f"/v1/cases/{filed.grievance_id}", headers=headers)
            if response.status_code == 200:
                break
            await asyncio.sleep(0.3)
        assert response.status_code == 200, response.text
        assert response.json()["lead"] == {"code": "water", "name": "光明区水务局"}
        signed = await http.post(f"/v1/cases/{filed.grievance_id}/sign-for", headers=headers)
        assert signed.status_code == 200 and signed.json()["state"] == "signed_for"
        unauthenticated = await http.get("/v1/cases")
        assert unauthenticated.status_code == 401
        assert "casework" in (await http.get("/openapi.json")).json()["info"]["title"]
    await process.stop()
    assert process.process is not None and process.process.returncode == 0

"""Intake runs as a real process (API + relay) against the real broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from services.intake.app import build_infrastructure
from services.intake.settings import Settings
from shared.runtime import Infrastructure
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess, free_port


@asynccontextmanager
async def intake_process(namespace: Namespace, mode: str = "all", **env: str) -> AsyncIterator[ServiceProcess]:
    """An intake process in ``namespace`` (``all``: API, consumers and relay), ready; ``env`` last."""
    port = free_port()
    process = ServiceProcess(
        "intake",
        mode,
        namespace.env(
            INTAKE_HTTP_PORT=str(port),
            INTAKE_SUBMIT_RATE_LIMIT="1000/minute",
            INTAKE_OPEN311_SUBMIT_RATE_LIMIT="1000/minute",
            **env,
        ),
        name=f"intake-{mode}-{namespace.name}",
        port=port,
    ).start()
    try:
        await process.wait_ready()
        yield process
    finally:
        await process.stop()


@pytest.fixture(scope="module")
async def intake(namespace: Namespace) -> AsyncIterator[ServiceProcess]:
    async with intake_process(namespace) as process:
        yield process


@pytest.fixture
async def http(intake: ServiceProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=intake.base_url, timeout=15) as client:
        yield client


@pytest.fixture(scope="module")
async def infra(namespace: Namespace) -> AsyncIterator[Infrastructure]:
    """Intake's engine and units of work in the test's own process, for use cases called directly."""
    infrastructure = build_infrastructure(namespace.settings(Settings))
    try:
        yield infrastructure
    finally:
        await infrastructure.close()


@pytest.fixture
async def db(namespace: Namespace) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        yield conn
    finally:
        await conn.close()


def portal_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "complainant": {"name": "陈建国", "mobile": "13612345678", "id_card": "11010519491231002X"},
        "address": {"street": "马田街道", "community": "将石", "detail": "将石社区二巷 5 号"},
        "title": "小区门口积水严重",
        "content": "每次下雨将石社区二巷门口积水到小腿，排水沟堵了好久，老人孩子出门都要蹚水，请尽快疏通。",
        "respondent": "马田街道办",
        "desired_outcome": "疏通排水沟",
        "attachments": ["https://files.example.org/photo-1.jpg"],
    }
    body.update(changes)
    return body

"""Rate limits over HTTP on the real database: the peer address from a real uvicorn socket, forwarded
headers believed only from a configured proxy, and the public writes of intake and feedback limited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.feedback.app import create_app as create_feedback_app
from services.feedback.settings import Settings as FeedbackSettings
from services.intake.app import create_app as create_intake_app
from services.intake.settings import Settings as IntakeSettings
from shared.runtime import ApiServer
from tests.support.namespace import Namespace, create_namespace, drop_namespace
from tests.support.processes import free_port

LOOKUP = "/v1/grievances/GM-20261206-999999"


@pytest.fixture(scope="module")
async def namespace() -> AsyncIterator[Namespace]:
    ns = await create_namespace(["intake", "feedback"])
    try:
        yield ns
    finally:
        await drop_namespace(ns)


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """``app`` behind a real uvicorn on 127.0.0.1, so the peer address is the socket's."""
    port = free_port()
    server = ApiServer(app, host="127.0.0.1", port=port)
    task = asyncio.create_task(server.run())
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(200):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            yield client
    finally:
        server.stop()
        await asyncio.wait_for(task, timeout=20)


@asynccontextmanager
async def from_address(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """``app`` in process, reached from ``address`` as the ASGI peer."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        await app.state.infra.close()


async def codes(client: httpx.AsyncClient, n: int, method: str, url: str, **request: Any) -> list[int]:
    return [(await client.request(method, url, **request)).status_code for _ in range(n)]


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_reset_the_limit(namespace: Namespace) -> None:
    app = create_intake_app(namespace.settings(IntakeSettings, lookup_rate_limit="3/hour"))
    async with serving(app) as client:
        answers = [
            (await client.get(LOOKUP, headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code for i in range(5)
        ]
    assert answers == [404, 404, 404, 429, 429]


async def test_from_a_trusted_proxy_the_forwarded_client_gets_its_own_bucket(namespace: Namespace) -> None:
    settings = namespace.settings(IntakeSettings, lookup_rate_limit="3/hour", trusted_proxies=["127.0.0.1"])
    async with serving(create_intake_app(settings)) as client:
        first = {"X-Forwarded-For": "198.51.100.1"}
        assert await codes(client, 4, "GET", LOOKUP, headers=first) == [404, 404, 404, 429]
        # A forged left part does not help the first client; a second client is not held back.
        forged = {"X-Forwarded-For": "203.0.113.99, 198.51.100.1"}
        assert await codes(client, 1, "GET", LOOKUP, headers=forged) == [429]
        assert await codes(client, 1, "GET", LOOKUP, headers={"X-Forwarded-For": "198.51.100.2"}) == [404]


async def test_the_minyi_webhook_is_limited_before_signatures_are_checked(namespace: Namespace) -> None:
    app = create_intake_app(namespace.settings(IntakeSettings, minyi_webhook_rate_limit="3/hour"))
    async with from_address(app, "203.0.113.30") as client:
        answers = await codes(client, 4, "POST", "/v1/webhooks/minyi", content=b"{}")
    assert answers == [401, 401, 401, 429]


async def test_the_portal_submission_is_limited(namespace: Namespace) -> None:
    app = create_intake_app(namespace.settings(IntakeSettings, submit_rate_limit="2/hour"))
    async with from_address(app, "203.0.113.31") as client:
        answers = await codes(client, 3, "POST", "/v1/grievances", json={"title": "不完整"})
    assert answers == [422, 422, 429]


async def test_feedback_rating_and_review_requests_share_the_action_limit(namespace: Namespace) -> None:
    app = create_feedback_app(namespace.settings(FeedbackSettings, action_rate_limit="3/hour"))
    rating = ("POST", "/v1/grievances/GM-20261206-999999/rating")
    review = ("POST", "/v1/grievances/GM-20261206-999999/review-requests")
    token = {"X-Tracking-Token": "not-the-token"}
    async with from_address(app, "203.0.113.32") as client:
        admitted = await codes(client, 2, *rating, json={"rating": "dissatisfied"}, headers=token)
        admitted += await codes(client, 1, *review, json={"reason": "答复没有回应我的诉求"}, headers=token)
        refused = await codes(client, 1, *rating, json={"rating": "satisfied"}, headers=token)
        refused += await codes(client, 1, *review, json={"reason": "答复没有回应我的诉求"}, headers=token)
    assert 429 not in admitted
    assert all(code in {404, 409} for code in admitted)
    assert refused == [429, 429]

"""The portal files from feedback's origin, so intake's refusals must reach its script: a rate
limit's 429 and a shed 503 carry the CORS headers and expose ``Retry-After`` (no I/O: both are
answered before any database work)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

from services.intake.app import create_app
from services.intake.settings import Settings
from shared.ratelimit import RateLimit

PORTAL = "http://127.0.0.1:8005"
FROM_PORTAL = {"Origin": PORTAL, "Content-Type": "application/json"}


def exposed(response: httpx.Response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("access-control-expose-headers", "").split(",")}


def client_for(settings: Settings, submit_limit: str) -> httpx.AsyncClient:
    app = create_app(settings)
    app.state.rate_limits = {name: RateLimit("1000/minute", scope=name) for name in app.state.rate_limits}
    app.state.rate_limits["submit"] = RateLimit(submit_limit, scope="submit")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake", timeout=5)


async def test_a_rate_limited_filing_from_the_portal_shows_its_retry_after() -> None:
    async with client_for(Settings(), "1/minute") as http:
        await http.post("/v1/grievances", content=b"{}", headers=FROM_PORTAL)  # uses up the allowance
        refused = await http.post("/v1/grievances", content=b"{}", headers=FROM_PORTAL)

    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] == PORTAL
    assert "retry-after" in exposed(refused) and int(refused.headers["retry-after"]) >= 1


async def test_a_shed_filing_from_the_portal_shows_its_detail_and_retry_after() -> None:
    released = asyncio.Event()
    sent_first_byte = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield b"{"
        sent_first_byte.set()
        await released.wait()
        yield b"}"

    async with client_for(Settings(http_max_in_flight=1, http_shed_retry_after_s=2), "1000/minute") as http:
        # The first filing is in flight (its body half sent) while the second arrives.
        first = asyncio.create_task(http.post("/v1/grievances", content=slow_body(), headers=FROM_PORTAL))
        async with asyncio.timeout(5):
            await sent_first_byte.wait()
        try:
            shed = await http.post("/v1/grievances", content=b"{}", headers=FROM_PORTAL)
        finally:
            released.set()
            held = await first

    assert held.status_code == 422, "the held filing was admitted (and then refused for its empty body)"
    assert shed.status_code == 503
    assert shed.headers["access-control-allow-origin"] == PORTAL
    assert shed.headers["retry-after"] == "2" and "retry-after" in exposed(shed)
    assert shed.json()["detail"] == "当前请求过多，系统暂时无法处理，请稍后重试。"
